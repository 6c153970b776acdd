"""`TransitionError` lives in `programme.errors` (one floor down) so that the PTAI and the CTAI share it;
it is re-exported here so existing imports keep working."""

from programme.errors import TransitionError

__all__ = ["TransitionError"]
