"""Optional dependencies: import one, or say which gradkit extra installs it."""
import importlib

from .errors import MissingDependencyError


def require(module, extra, feature):
    """The imported ``module``; MissingDependencyError naming ``feature`` and ``pip install 'gradkit[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependencyError(f"{feature} needs the optional package {module.split('.')[0]!r}: "
                                     f"pip install 'gradkit[{extra}]'") from e
