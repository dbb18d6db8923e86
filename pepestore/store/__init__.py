"""Store services: plain Python over SQLModel sessions, no Reflex imports."""
