"""Live response monitoring: counts and rates per wave and breakdown."""
