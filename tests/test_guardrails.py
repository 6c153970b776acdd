import socket

import pytest
from django.template import Context, Template


def test_outbound_network_is_refused():
    with pytest.raises(OSError, match="Outbound network access is forbidden"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_undefined_template_variable_fails():
    with pytest.raises(NameError, match="no_such_variable"):
        Template("{{ no_such_variable }}").render(Context({}))


def test_warnings_are_errors():
    import warnings

    with pytest.raises(DeprecationWarning):
        warnings.warn("old", DeprecationWarning, stacklevel=1)
