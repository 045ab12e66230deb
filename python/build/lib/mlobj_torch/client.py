"""A thin Arrow Flight client for the mlobj trainer feed."""

import json
import struct

import pyarrow as pa
import pyarrow.flight as flight

# gRPC must not be started in a process that later forks DataLoader workers (they hang):
# remember whether this process opened a client, so loaders can pick the 'spawn' start method.
_grpc_started = False


def grpc_started():
    """Whether this process has opened a Flight client."""
    return _grpc_started


class FeedError(RuntimeError):
    """A request the feed server refused; ``code`` is the Flight status class name."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def _wrap(error):
    return FeedError(str(error), type(error).__name__)


class FeedClient:
    """A connection to one feed server.

    ``endpoint`` is ``grpc+tcp://host:port`` (or ``grpc+tls://`` with ``tls_root_certs``);
    ``token`` is the server's bearer token, if it has one.
    """

    def __init__(self, endpoint, token=None, tls_root_certs=None):
        global _grpc_started
        _grpc_started = True
        kwargs = {}
        if tls_root_certs is not None:
            kwargs["tls_root_certs"] = tls_root_certs
        self._client = flight.FlightClient(endpoint, **kwargs)
        headers = []
        if token:
            headers.append((b"authorization", b"Bearer " + token.encode()))
        self._options = flight.FlightCallOptions(headers=headers)

    def stream(self, request):
        """Yields the record batches of a feed request (a dict, see docs/trainer-feed.md)."""
        ticket = flight.Ticket(json.dumps(request).encode())
        try:
            reader = self._client.do_get(ticket, options=self._options)
            for chunk in reader:
                yield chunk.data
        except pa.ArrowException as e:  # FlightError, ArrowInvalid (INVALID_ARGUMENT), ...
            raise _wrap(e) from None

    def action(self, name, body=b""):
        """Runs a server action and returns its JSON answer."""
        try:
            results = list(self._client.do_action(flight.Action(name, body), options=self._options))
        except pa.ArrowException as e:  # FlightError, ArrowInvalid (INVALID_ARGUMENT), ...
            raise _wrap(e) from None
        return json.loads(results[0].body.to_pybytes())

    def plan(self, request):
        """The resolved version, epoch size and this consumer's batch count."""
        return self.action("plan", json.dumps(request).encode())

    def metrics(self):
        """Server counters: samples/s, bytes/s, time waiting on storage vs on clients."""
        return self.action("metrics")

    def take(self, dataset, indexes, **request):
        """The samples at these global indexes, as one pyarrow Table."""
        import pyarrow as pa

        request = dict(request, dataset=dataset, take=[int(i) for i in indexes])
        request.setdefault("batch_size", max(1, len(indexes)))
        return pa.Table.from_batches(list(self.stream(request)))

    def put_checkpoint(self, model, content, metadata=None, lineage=None):
        """Stores a model checkpoint with its metadata and lineage (``uri@vN``) through mlobj."""
        header = json.dumps(
            {
                "model": model,
                "metadata": {k: str(v) for k, v in (metadata or {}).items()},
                "lineage": list(lineage or []),
            }
        ).encode()
        return self.action("checkpoint.put", struct.pack(">i", len(header)) + header + bytes(content))

    def close(self):
        self._client.close()
