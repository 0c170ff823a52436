"""aicc-ops: the operators CLI, the local flow engine and the local stack."""
