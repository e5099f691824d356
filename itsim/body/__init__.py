"""The body: drug in the cerebrospinal fluid (csf) and, later, what the patient feels."""
