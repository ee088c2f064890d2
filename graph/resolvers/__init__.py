"""Root fields: what each query does with its arguments."""
