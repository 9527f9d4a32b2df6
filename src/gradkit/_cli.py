"""Command definitions (click)."""
import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gradkit")
def app():
    """gradkit: deep learning from first principles, with the classic course experiments one command away."""
