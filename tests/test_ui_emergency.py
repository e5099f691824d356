"""The emergency-room widget, used as a nurse would (buttons only)."""
from itsim.ui.emergency import EmergencyRoom


def _press(room, name):
    room.buttons[name].click()


def test_the_room_shows_vitals_beside_the_plot_and_the_patient_responds():
    room = EmergencyRoom(["morphine_cap_injection"])
    assert "Breathing" in room.readout_text and "Sedation" in room.readout_text
    room.wait_buttons[2].click()                              # wait 1 h
    slow = float(room.readout_text.split("Breathing: ")[1].split(" ")[0])
    _press(room, "naloxone-2mg")
    room.wait_buttons[0].click()                              # 2 min later
    after = float(room.readout_text.split("Breathing: ")[1].split(" ")[0])
    assert after > slow and room.failure is None
    assert len(room.fig.data[0].x) > 60                       # the plot follows the time


def test_physician_actions_are_refused_in_plain_words_until_help_is_called():
    room = EmergencyRoom(["morphine_cap_injection"])
    _press(room, "drain-lp")
    assert "call for help first" in room.readout_text and room.failure is None
    _press(room, "call-help")
    _press(room, "drain-lp")
    assert "CSF drainage" in room.readout_text


def test_finish_scores_and_reset_starts_again():
    room = EmergencyRoom(["ziconotide_psychiatric"])
    _press(room, "stop-pump")
    _press(room, "call-help")
    _press(room, "interrogate")
    room.finish_button.click()
    assert "Score 100/100" in room.readout_text
    room.reset_button.click()
    assert room.session.actions == [] and "Minute 0" in room.readout_text


def test_acting_after_the_case_time_is_over_is_refused_in_plain_words():
    room = EmergencyRoom(["morphine_cap_injection"])
    for _ in range(3):
        room.wait_buttons[3].click()                          # 3 x 4 h: the 12 h are over
    _press(room, "naloxone")
    assert "Press Finish" in room.readout_text and room.failure is None
    room.finish_button.click()
    assert "Score" in room.readout_text and room.failure is None


def test_a_bolus_note_gives_its_time_course_and_restore_says_what_it_does():
    room = EmergencyRoom(["baclofen_disconnection"])
    assert "catheter" in room.buttons["restore"].tooltip
    _press(room, "call-help")
    _press(room, "it-bolus-100")
    assert "4 h to 6 h" in room.readout_text and "does not restore" in room.readout_text
    assert "dose the physician orders" in room.buttons["restore"].tooltip
    assert "at least 8 h" in room.buttons["restore"].tooltip
    _press(room, "restore")
    assert "reconnects the catheter" in room.readout_text
    assert "physician orders the dose" in room.readout_text
