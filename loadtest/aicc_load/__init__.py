"""The load tests' shared parts: the plan, the recorder (Locust request records), the abstract
caller User, the arrival profiles and the run's reports. Imported by the locustfiles beside it
(Locust puts their folder on sys.path); never by pytest, which must not import Locust."""
