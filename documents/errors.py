"""The refusal of a piece, with the French message shown to the user."""


class DocumentRefused(Exception):
    """The file is not stored; `message` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
