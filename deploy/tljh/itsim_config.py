# JupyterHub settings for the course on one server (The Littlest JupyterHub). Copy to
# /opt/tljh/config/jupyterhub_config.d/itsim_config.py, then `sudo tljh-config reload`.
# Sizes come from docs/deploy.md (350-390 MB per trainee; a core per 5-10 active trainees).
c = get_config()  # noqa: F821

c.Spawner.default_url = "/lab"             # the hub link (itsim link) opens the start page
c.Spawner.mem_limit = "1G"                 # a lesson's server and kernel use 350-390 MB
c.Spawner.cpu_limit = 1
c.Spawner.environment = {
    "PYTHONHASHSEED": "0",                 # the same numbers as the course's tests
    "OPENBLAS_NUM_THREADS": "1",           # one maths thread per kernel: the cores are shared
    "OMP_NUM_THREADS": "1",
}
c.JupyterHub.shutdown_on_logout = True
