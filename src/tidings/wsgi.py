import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")
application = get_wsgi_application()

# Chinese segmentation's dictionary, loaded as the process starts rather than on a first search.
from tidings.search.terms import warm  # noqa: E402

warm()
