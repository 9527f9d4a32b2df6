"""The `gradkit` command."""
import sys


def main(argv=None):
    """Entry point of the console script."""
    try:
        import click  # noqa: F401
    except ImportError:
        sys.exit("the gradkit command needs click: pip install 'gradkit[cli]'")
    from ._cli import app
    return app(args=argv, prog_name="gradkit")
