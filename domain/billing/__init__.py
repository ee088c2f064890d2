"""SaaS billing: plans, clinics' subscriptions, usage and plan limits."""
