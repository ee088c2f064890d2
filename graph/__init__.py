"""The GraphQL layer: types describe, resolvers decide, loaders batch."""
