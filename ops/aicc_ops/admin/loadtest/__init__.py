"""`aicc-ops loadtest`: Locust load runs against the local stack or a deployed environment.

- run.py:        one run, end to end: checks, target, plan, Locust, verdict (`run_loadtest`)
- slo.py:        the SLO file and the verdict arithmetic (pure)
- mix.py:        the call mix file and --mix weights (pure)
- plan.py:       the demo scenarios run offline, sorted into the mix, with their Lambda events
- target.py:     where the load goes: the local stack (a running one, or one of its own), or an
                 environment's deployed functions
- processes.py:  Locust as subprocesses: the one process, or a master and its workers on loopback

The locustfiles live in the repository's loadtest/ (design.md), outside this package.
"""
