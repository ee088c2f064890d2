"""The front desk: owners (clients) and patients registered, kept and found."""
