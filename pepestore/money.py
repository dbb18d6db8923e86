"""Money is an integer number of Chilean pesos; CLP has no decimals."""


def format_clp(amount: int) -> str:
    """Format as Chileans read prices: a dot for thousands, no decimals (12990 -> "$12.990")."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,}".replace(",", ".")
