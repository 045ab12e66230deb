"""A thin Arrow Flight client for the mlobj trainer feed."""

import json
import os
import pickle
import re
import struct

import pyarrow as pa
import pyarrow.flight as flight

# gRPC cannot be used on both sides of a fork: once a process has initialised it (opened a
# channel), a forked child shares its poller and its calls hang, even after every client was
# closed (seen with pyarrow 25: DataLoader workers stuck in DoGet). So a process that has not
# streamed yet runs its unary calls (plan, metrics, checkpoint.put) in a short-lived forked
# child, and stays fit to fork DataLoader workers; the first stream in the process itself
# initialises gRPC here, and from then on loaders spawn their workers.
_grpc_initialised = False
_grpc_pid = None  # the process that initialised it (a forked child inherits the state)


def grpc_inherited():
    """Whether this process was forked from one that had initialised gRPC: it cannot stream."""
    return _grpc_initialised and _grpc_pid != os.getpid()


def grpc_initialised():
    """Whether this process has initialised gRPC (then its DataLoader workers must be spawned)."""
    return _grpc_initialised


def grpc_started():
    """Same as :func:`grpc_initialised` (kept for older callers)."""
    return _grpc_initialised


def _in_forked_child(call):
    """Runs ``call()`` in a forked child and returns its result (or raises its FeedError)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read)
            try:
                outcome = ("ok", call())
            except FeedError as e:
                outcome = ("error", str(e), e.code)
            except BaseException as e:  # noqa: BLE001 - reported to the parent
                outcome = ("error", "%s: %s" % (type(e).__name__, e), "UNKNOWN")
            with os.fdopen(write, "wb") as f:
                f.write(pickle.dumps(outcome))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    if not data:
        raise FeedError("Cannot call the feed server: the helper process died.", "UNKNOWN")
    outcome = pickle.loads(data)
    if outcome[0] == "error":
        raise FeedError(outcome[1], outcome[2])
    return outcome[1]


class FeedError(RuntimeError):
    """A request the feed server refused, or a feed call that failed.

    ``str(error)`` is the server's message (``Cannot <verb> <object>: <reason>. <how to fix>``),
    without gRPC's debug context; ``code`` is the Flight status name, such as
    ``INVALID_ARGUMENT``, ``NOT_FOUND``, ``UNAUTHENTICATED``, ``UNAVAILABLE`` or ``INTERNAL``.
    """

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


_FLIGHT_MESSAGE = re.compile(r"^Flight returned (?P<status>[a-z ]+?) error, with message: (?P<msg>.*)$", re.S)
# What pyarrow appends to a server's message: gRPC's debug context, then the client's context.
_DEBUG_CONTEXT = re.compile(r"\.?\s*(gRPC client debug context:|Client context:|Detail:).*$", re.S)
_CLASS_CODES = {
    "ArrowInvalid": "INVALID_ARGUMENT",
    "ArrowKeyError": "NOT_FOUND",
    "ArrowNotImplementedError": "UNIMPLEMENTED",
    "FlightUnauthenticatedError": "UNAUTHENTICATED",
    "FlightUnauthorizedError": "UNAUTHORIZED",
    "FlightUnavailableError": "UNAVAILABLE",
    "FlightTimedOutError": "TIMED_OUT",
    "FlightCancelledError": "CANCELLED",
    "FlightInternalError": "INTERNAL",
    "FlightServerError": "INTERNAL",
}


def _wrap(error):
    """A pyarrow/Flight exception as a :class:`FeedError` with the server's message alone."""
    text = str(error)
    match = _FLIGHT_MESSAGE.match(text)
    if match:
        code = match.group("status").strip().upper().replace(" ", "_")
        text = match.group("msg")
    else:
        code = _CLASS_CODES.get(type(error).__name__, "UNKNOWN")
    message = _DEBUG_CONTEXT.sub("", text).strip()
    if message and not message.endswith("."):
        message += "."
    return FeedError(message or type(error).__name__, code)


class FeedClient:
    """A connection to one feed server.

    ``endpoint`` is ``grpc+tcp://host:port`` (or ``grpc+tls://`` with ``tls_root_certs``);
    ``token`` is the server's bearer token, if it has one. The gRPC channel opens on the first
    stream; until then, calls run in a forked helper process (see :func:`grpc_initialised`).
    """

    def __init__(self, endpoint, token=None, tls_root_certs=None):
        self._endpoint = endpoint
        self._kwargs = {} if tls_root_certs is None else {"tls_root_certs": tls_root_certs}
        self._client = None
        headers = []
        if token:
            headers.append((b"authorization", b"Bearer " + token.encode()))
        self._options = flight.FlightCallOptions(headers=headers)

    def _flight(self):
        global _grpc_initialised, _grpc_pid
        if self._client is None:
            if grpc_inherited():
                raise FeedError(
                    "Cannot stream from the feed in a process forked from one that already"
                    " streamed (gRPC does not survive fork: the call would hang). Use"
                    " ds.loader(num_workers=...), which spawns workers then, or pass"
                    " multiprocessing_context=\"spawn\" to your DataLoader.",
                    "FAILED_PRECONDITION",
                )
            _grpc_initialised, _grpc_pid = True, os.getpid()
            self._client = flight.FlightClient(self._endpoint, **self._kwargs)
        return self._client

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stream(self, request):
        """Yields the record batches of a feed request (a dict, see docs/trainer-feed.md)."""
        ticket = flight.Ticket(json.dumps(request).encode())
        try:
            reader = self._flight().do_get(ticket, options=self._options)
            for chunk in reader:
                yield chunk.data
        except pa.ArrowException as e:  # FlightError, ArrowInvalid (INVALID_ARGUMENT), ...
            raise _wrap(e) from None

    def action(self, name, body=b""):
        """Runs a server action and returns its JSON answer."""
        if self._client is None and not _grpc_initialised and hasattr(os, "fork"):
            return _in_forked_child(lambda: self._action(name, body))
        return self._action(name, body)

    def _action(self, name, body):
        try:
            results = list(self._flight().do_action(flight.Action(name, body), options=self._options))
        except pa.ArrowException as e:  # FlightError, ArrowInvalid (INVALID_ARGUMENT), ...
            raise _wrap(e) from None
        return json.loads(results[0].body.to_pybytes())

    def plan(self, request):
        """The resolved version, epoch size, this consumer's and its rank's batch counts.

        The server compiles the request's whole pipeline, steps marked ``"on": "client"``
        included, so a bad step fails here with the same message as on the server.
        """
        return self.action("plan", json.dumps(request).encode())

    def metrics(self):
        """Server counters: samples/s, bytes/s, time waiting on storage vs on clients."""
        return self.action("metrics")

    def take(self, dataset, indexes, **request):
        """The samples at these global indexes, as one pyarrow Table."""
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
        """Closes the connection (idempotent)."""
        if self._client is not None:
            self._client.close()
            self._client = None
