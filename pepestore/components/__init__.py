"""Pure functions of state vars that build the UI."""
