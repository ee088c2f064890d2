"""GraphQL object types: what the graph looks like to an integrator."""
