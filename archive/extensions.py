"""Flask extensions, created unbound. A leaf module: it imports nothing from ``archive``."""

import hashlib
import hmac
import ipaddress
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # ``db.Model`` is built at run time from ``Base`` and Flask-SQLAlchemy's ``Model``
    # mixin, so a type checker cannot see it; spell that class out for it instead.
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        __abstract__ = True
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()


# IPv6 hands each home or office a /64 and lets it pick any address inside it: one visitor is
# counted by the network, not by an address they can change with every request.
IPV6_VISITOR_PREFIX = 64

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def visitor_network(address: str | None) -> IPNetwork | None:
    """The network one visitor is counted by: an IPv4 address alone, an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address):
        return ipaddress.IPv6Network((ip, IPV6_VISITOR_PREFIX), strict=False)
    return ipaddress.IPv4Network(ip)


def network_hash(network: IPNetwork, salt: str) -> str:
    """A keyed hash of a network (``203.0.113.7/32``, ``2001:db8::/64``): what the rate limits
    and the event allowances keep instead of an address."""
    message = f"network:{network.with_prefixlen}".encode()
    return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()


def visitor_key() -> str:
    """The rate limits' key for this request: never the address itself (the keys live in Redis,
    shared by every worker), only its network's keyed hash."""
    network = visitor_network(request.remote_addr)
    if network is None:
        return "unknown"
    return network_hash(network, current_app.config["IP_HASH_SALT"])[:40]


limiter = Limiter(key_func=visitor_key)
babel = Babel()
