"""keras.config: the global settings (floatx, epsilon, image_data_format, backend, traceback filtering)."""
from .backend import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,  # noqa: F401
                      set_image_data_format)
from .traceback_utils import (disable_traceback_filtering, enable_traceback_filtering,  # noqa: F401
                              is_traceback_filtering_enabled)

__all__ = ["backend", "disable_traceback_filtering", "enable_traceback_filtering", "epsilon", "floatx",
           "image_data_format", "is_traceback_filtering_enabled", "set_epsilon", "set_floatx",
           "set_image_data_format"]
