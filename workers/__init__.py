"""Background jobs: RQ job functions (they take ids), the queues they go through, the schedule."""
