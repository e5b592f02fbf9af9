"""Users, their agency and their role."""
