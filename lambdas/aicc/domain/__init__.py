"""Pure call logic: no boto3, no I/O; tested without mocks."""
