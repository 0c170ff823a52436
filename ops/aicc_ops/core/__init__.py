"""The bottom layer of aicc-ops: what every layer above (engine, local, deploy, admin, cli) shares
and that depends on none of them: AWS call helpers, Connect's quotas, the Connect resource set
derived from the configuration, and the agent conventions the CLI and the local emulator both apply.
"""
