"""AICC call logic: the one Lambda artifact (handlers over a pure domain and AWS adapters)."""
