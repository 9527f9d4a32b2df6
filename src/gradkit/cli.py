"""The `gradkit` command."""
import sys


def main(argv=None):
    """Entry point of the console script."""
    try:
        import click  # noqa: F401
    except ImportError:
        sys.exit("the gradkit command needs click: pip install 'gradkit[cli]'")
    from ._cli import app, one_line_errors
    with one_line_errors():
        return app.main(args=argv, prog_name="gradkit", standalone_mode=False)
