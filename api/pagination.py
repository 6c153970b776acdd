"""One page format for every list: `{"count", "next", "previous", "results"}`, 50 rows a page."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_query_param = "page"
    # Fixed page size: the query budgets hold for it (a client-chosen size would change nothing in
    # the number of queries, but would in their cost).
    page_size_query_param = None
