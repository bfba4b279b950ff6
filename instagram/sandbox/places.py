"""Pages Search (`GET /pages/search?q=…&fields=id,name,location,link`): a fixed, deterministic set of places.

Meta answers it on graph.facebook.com for Facebook Login tokens (or an app token with the "Page Public Metadata
Access" feature); graph.instagram.com has no `pages` node, so an Instagram Login token gets Meta's
"Unsupported get request" error (code 100, subcode 33), which the app turns into the typed-Page-id fallback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import Response, SandboxError

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox

# (name, street, city, zip, country, latitude, longitude). Ids are derived from the position, so they never change.
_PLACES: tuple[tuple[str, str, str, str, str, float, float], ...] = (
    ("Brandenburger Tor", "Pariser Platz", "Berlin", "10117", "Germany", 52.516275, 13.377704),
    ("Berlin Hauptbahnhof", "Europaplatz 1", "Berlin", "10557", "Germany", 52.525084, 13.369402),
    ("Museumsinsel Berlin", "Bodestraße 1-3", "Berlin", "10178", "Germany", 52.520835, 13.397050),
    ("Café Einstein Stammhaus", "Kurfürstenstraße 58", "Berlin", "10785", "Germany", 52.502258, 13.359390),
    ("Tempelhofer Feld", "Tempelhofer Damm", "Berlin", "12101", "Germany", 52.473000, 13.400000),
    ("Hamburg Elbphilharmonie", "Platz der Deutschen Einheit 1", "Hamburg", "20457", "Germany", 53.541324, 9.984138),
    ("Marienplatz", "Marienplatz 1", "Munich", "80331", "Germany", 48.137154, 11.575382),
    ("Café Central", "Herrengasse 14", "Vienna", "1010", "Austria", 48.210430, 16.365481),
    ("Eiffel Tower", "Champ de Mars, 5 Avenue Anatole France", "Paris", "75007", "France", 48.858370, 2.294481),
    ("Musée du Louvre", "Rue de Rivoli", "Paris", "75001", "France", 48.860611, 2.337644),
    ("Café de Flore", "172 Boulevard Saint-Germain", "Paris", "75006", "France", 48.854057, 2.332574),
    ("Tower Bridge", "Tower Bridge Road", "London", "SE1 2UP", "United Kingdom", 51.505456, -0.075356),
    ("Borough Market", "8 Southwark Street", "London", "SE1 1TL", "United Kingdom", 51.505510, -0.091030),
    ("Tate Modern", "Bankside", "London", "SE1 9TG", "United Kingdom", 51.507595, -0.099356),
    ("Central Park", "59th to 110th Street", "New York", "10022", "United States", 40.782865, -73.965355),
    ("Brooklyn Bridge", "Brooklyn Bridge", "New York", "10038", "United States", 40.706086, -73.996864),
    ("Joe's Pizza", "7 Carmine Street", "New York", "10014", "United States", 40.730536, -74.002190),
    ("Golden Gate Bridge", "Golden Gate Bridge", "San Francisco", "94129", "United States", 37.819929, -122.478255),
    ("Ferry Building Marketplace", "1 Ferry Building", "San Francisco", "94111", "United States", 37.795490, -122.393700),
    ("Sagrada Família", "Carrer de Mallorca 401", "Barcelona", "08013", "Spain", 41.403630, 2.174356),
    ("Mercado de San Miguel", "Plaza de San Miguel", "Madrid", "28005", "Spain", 40.415390, -3.708960),
    ("Colosseo", "Piazza del Colosseo 1", "Rome", "00184", "Italy", 41.890210, 12.492231),
    ("Rijksmuseum", "Museumstraat 1", "Amsterdam", "1071 XX", "Netherlands", 52.359998, 4.885219),
    ("Shibuya Crossing", "Shibuya 2-chome", "Tokyo", "150-0002", "Japan", 35.659482, 139.700559),
    ("Sydney Opera House", "Bennelong Point", "Sydney", "2000", "Australia", -33.856784, 151.215297),
    ("Copacabana Beach", "Avenida Atlântica", "Rio de Janeiro", "22070-000", "Brazil", -22.971177, -43.182543),
    ("Sunset Coffee Roasters", "12 Harbour Lane", "Brighton", "BN1 1AA", "United Kingdom", 50.820000, -0.137000),
    ("Sunset Boulevard", "Sunset Boulevard", "Los Angeles", "90028", "United States", 34.098003, -118.329746),
)
_ID_BASE = 110_000_000_000_000
MAX_LIMIT = 100


def place_rows() -> list[dict[str, Any]]:
    """Every place as Meta's Pages Search answers it (id, name, location{…}, link)."""
    rows = []
    for n, (name, street, city, zip_code, country, lat, lng) in enumerate(_PLACES, 1):
        pid = str(_ID_BASE + n * 7919)
        rows.append({"id": pid, "name": name, "link": f"https://www.facebook.com/{pid}",
                     "location": {"street": street, "city": city, "zip": zip_code, "country": country,
                                  "latitude": lat, "longitude": lng}})
    return rows


def _text(row: dict[str, Any]) -> str:
    loc = row["location"]
    return " ".join((row["name"], loc["street"], loc["city"], loc["country"])).casefold()


def page_search(sb: Sandbox, token: str | None, params: dict[str, str]) -> Response:
    row, _user = sb.auth(token)
    if row.get("login") != "facebook":
        raise SandboxError("Unsupported get request. Object with ID 'pages' does not exist, cannot be loaded due to "
                           "missing permissions, or does not support this operation.", code=100, subcode=33)
    q = (params.get("q") or "").strip()
    if not q:
        raise SandboxError("(#100) The parameter q is required", code=100)
    try:
        limit = max(1, min(MAX_LIMIT, int(params.get("limit") or 25)))
    except ValueError:
        raise SandboxError("(#100) Param limit must be a number", code=100) from None
    words = q.casefold().split()
    # Names that start with the query first (as Meta ranks), then the rest in their stable order.
    hits = [r for r in place_rows() if all(w in _text(r) for w in words)]
    hits.sort(key=lambda r: (not r["name"].casefold().startswith(words[0]),))
    wanted = {f.strip() for f in (params.get("fields") or "id,name").split(",") if f.strip()} | {"id"}
    data = [{k: v for k, v in r.items() if k in wanted} for r in hits[:limit]]
    return Response(200, {"data": data})
