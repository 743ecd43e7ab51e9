"""The one exception type for bad input, shared by every layer above the pipeline."""


class InputError(ValueError):
    """Input the user must fix (missing file, undecodable bytes, missing column, empty text...).

    The CLI prints the message and exits with code 2; the HTTP layer answers 4xx. The message names the
    file, row and column where one is known.
    """
