"""`aicc-ops dashboard`: the live operations page, served on loopback (docs/dashboard.md).

state.py reads one snapshot of the contact center (Connect's real-time metrics, the call log, the
SLA monitor's episodes); server.py serves the page and /api/state, one snapshot per interval
shared by every browser tab.
"""
