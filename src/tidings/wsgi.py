import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")
django_application = get_wsgi_application()

# A chunked body is read within the size limit before Django, so Django sees it whole (or refuses it).
from tidings.web.middleware import ChunkedBodyLimit  # noqa: E402

application = ChunkedBodyLimit(django_application)

# Chinese segmentation's dictionary, loaded as the process starts rather than on a first search.
from tidings.search.terms import warm  # noqa: E402

warm()
