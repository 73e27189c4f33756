"""What a refused change raises: a message a person can read."""


class ModerationError(Exception):
    """A change the story's state or the actor's role does not allow."""


class StaleDecision(ModerationError):
    """Someone else changed the story first; nothing of this attempt was saved."""
