class StoreError(Exception):
    """A refusal the shopper should read: the message is written for them, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
