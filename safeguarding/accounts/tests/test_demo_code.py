from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db


def test_demo_code_prints_a_code_the_device_accepts():
    user = f.member(f.AgencyFactory(), username="demo.person")
    device = TOTPDevice.objects.create(user=user, name="Demo", confirmed=True)
    out = StringIO()
    call_command("demo_code", "demo.person", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert device.verify_token(code)


def test_demo_code_explains_an_unknown_username():
    with pytest.raises(CommandError, match="No confirmed authenticator"):
        call_command("demo_code", "nobody")


def test_demo_code_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo_code", "anyone")
