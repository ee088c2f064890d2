"""Patient records: alerts, problem lists, profiles, clinics, pets and push devices."""
