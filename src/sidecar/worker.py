# liuma-engine Python sidecar worker (shipped inside the engine binary, run as `python -c`).
#
# Runs users' Python code (API pre/post scripts, custom functions, WEB custom operations) with
# the names of the Python engine's contract bound (api-cases.md 3.5, 6.7; web-cases.md 2.7).
# Protocol: one JSON object per line. The engine writes a request on stdin; the worker answers
# with one line on (the original) stdout. While running user code the worker may write callback
# lines ({"cb": ...}) and reads exactly one answer line for each.
# Values that JSON cannot hold travel tagged: {"$b": base64} bytes, {"$t": [..]} tuple,
# {"$f": "nan"} non-finite float, {"$i": "123..."} big int, {"$d": {..}} a dict whose only key
# looks like a tag.
import base64
import builtins
import datetime
import decimal
import io
import json
import math
import os
import sys
import traceback
import types
from copy import deepcopy
from time import sleep
from urllib.parse import urlencode

# The protocol streams are private descriptors: anything user code (or a library, or a child
# process) writes to fd 1 lands on stderr, and fd 0 reads /dev/null.
_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
_IN = os.fdopen(os.dup(0), "r", encoding="utf-8", newline="\n")
os.dup2(2, 1)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)

_TAGS = ("$b", "$t", "$f", "$i", "$d")
_MAX_INT = 2 ** 63


def _dec(v):
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            k = next(iter(v))
            x = v[k]
            if k == "$b":
                return base64.b64decode(x)
            if k == "$t":
                return tuple(_dec(i) for i in x)
            if k == "$f":
                return float(x)
            if k == "$i":
                return int(x)
            if k == "$d":
                return {kk: _dec(vv) for kk, vv in x.items()}
        return {k: _dec(x) for k, x in v.items()}
    return v


def _key(k):
    if isinstance(k, str):
        return k
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, float):
        return repr(k)
    return str(k)


def _enc(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if -_MAX_INT <= v < _MAX_INT else {"$i": str(v)}
    if isinstance(v, float):
        return v if math.isfinite(v) else {"$f": repr(v)}
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$b": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, tuple):
        return {"$t": [_enc(x) for x in v]}
    if isinstance(v, (list, set, frozenset)):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        d = {_key(k): _enc(x) for k, x in v.items()}
        if len(d) == 1 and next(iter(d)) in _TAGS:
            return {"$d": d}
        return d
    if isinstance(v, decimal.Decimal):
        return float(v)
    # datetime, date, custom objects: their str() (api-cases A38 spells dates the same way).
    return str(v)


def _send(obj):
    text = json.dumps(obj, ensure_ascii=False)
    # Lone surrogates (undecodable bytes smuggled into str) cannot travel as UTF-8: they become '?'.
    text = text.encode("utf-8", "replace").decode("utf-8")
    _OUT.write(text + "\n")
    _OUT.flush()


def _receive():
    line = _IN.readline()
    if not line:
        os._exit(0)
    return json.loads(line)


class EngineError(Exception):
    """An engine-side call made from user code failed (built-in function, driver command)."""


def _callback(kind, **fields):
    fields["cb"] = kind
    _send(fields)
    answer = _receive()
    if "error" in answer:
        raise EngineError(answer["error"])
    return _dec(answer.get("value"))


class _Console(io.StringIO):
    pass


def _make_print(console):
    def print(*args, sep=" ", end="\n", file=None, flush=False):
        if file is None or file in (sys.stdout, sys.stderr):
            file = console
        builtins.print(*args, sep=sep, end=end, file=file, flush=flush)

    return print


def _sys_get(state):
    def sys_get(name):
        if name in state["context"]:
            return state["context"][name]
        if name in state["params"]:
            return state["params"][name]
        raise KeyError("不存在的公共参数或关联变量: {}".format(name))

    return sys_get


def _sys_put(state):
    def sys_put(name, val, ps=False):
        if ps:
            state["params"][name] = val
        else:
            state["context"][name] = val

    return sys_put


class _Requests:
    """`request` / `Session` of the Python engine's step module: `requests` is imported on first
    use (a script that never calls it does not pay for the import)."""

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        try:
            import requests
        except Exception:
            raise RuntimeError(
                "{} needs the `requests` package, which the sidecar's Python does not have: "
                "install it there or point [Sidecar] python at a virtualenv that has it".format(self._name)
            )
        return getattr(requests, self._name)(*args, **kwargs)


def url_join(host, path):
    """The Python engine's url_join (tools/utils/utils.py)."""
    if host is None or host == "":
        return path
    if path is None or path == "":
        return host
    return host.rstrip("/") + "/" + path.lstrip("/")


def dict2str(data):
    return data if isinstance(data, str) else str(data)


def _script_globals():
    return {
        "__builtins__": builtins,
        "__name__": "__liuma_script__",
        "datetime": datetime,
        "sys": sys,
        "sleep": sleep,
        "deepcopy": deepcopy,
        "json": json,
        "urlencode": urlencode,
        "request": _Requests("request"),
        "Session": _Requests("Session"),
        "url_join": url_join,
        "dict2str": dict2str,
    }


def _function_globals():
    import importlib

    return {
        "__builtins__": builtins,
        "__name__": "__liuma_function__",
        "os": os,
        "sys": sys,
        "import_module": importlib.import_module,
        "reload": importlib.reload,
    }


def _outcome(exc):
    if isinstance(exc, AssertionError):
        return {"ok": False, "kind": "fail", "message": str(exc)}
    lines = traceback.format_exception_only(type(exc), exc)
    last = lines[-1].strip() if lines else type(exc).__name__
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"ok": False, "kind": "error", "message": last, "traceback": tb}


def _finish(answer, state, console):
    try:
        answer["context"] = _enc(state["context"])
        answer["params"] = _enc(state["params"])
    except RecursionError:
        answer = {"ok": False, "kind": "error", "message": "RecursionError: a value put into the context refers to itself"}
        answer["context"] = None
        answer["params"] = None
    answer["console"] = console.getvalue()
    return answer


class _Bag(types.SimpleNamespace):
    pass


def _request_object(r):
    if r is None:
        return None
    return _Bag(method=r.get("method"), url=r.get("url"), headers=r.get("headers"), body=r.get("body"))


def _run_script(req, state, console):
    res = _dec(req.get("response") or {})
    step = _dec(req.get("step") or {})
    collector = _Bag(**(step.get("collector") or {}))
    facade = _Bag(
        context=state["context"],
        params=state["params"],
        collector=collector,
        status_code=res.get("code"),
        response_headers=res.get("header"),
        response_content=res.get("data"),
        response_content_bytes=res.get("bytes"),
        response_cookies=res.get("cookies"),
        response_request=_request_object(res.get("request")),
        print=_make_print(console),
    )
    ns = _script_globals()
    ns.update(
        print=_make_print(console),
        sys_put=_sys_put(state),
        sys_get=_sys_get(state),
        self=facade,
        res_request=facade.response_request,
        res_code=facade.status_code,
        res_header=facade.response_headers,
        res_data=facade.response_content,
        res_cookies=facade.response_cookies,
        res_bytes=facade.response_content_bytes,
    )
    exec(compile(req["code"], req.get("label") or "<script>", "exec"), ns)
    # A pre script may change the request through self.collector.others (headers, params, body).
    return {"ok": True, "others": _enc(getattr(collector, "others", None))}


class _Library:
    """`self` inside custom functions: the case's other custom functions run here, every other
    name is one of the engine's built-in functions, called through the engine."""

    def __init__(self, functions, state, console):
        self._functions = functions
        self._state = state
        self._console = console
        self.print = _make_print(console)

    def __call__(self, name, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._functions:
            return lambda *args: _call_custom(self._functions, name, list(args), self._state, self._console)
        return lambda *args: _callback("builtin", name=name, args=_enc(list(args)))


class _NoReturn(KeyError):
    pass


def _call_custom(functions, name, args, state, console):
    spec = functions[name]
    names = spec.get("names") or []
    if len(args) < len(names):
        raise TypeError(
            "自定义函数{}需要{}个参数, 实际传入{}个".format(name, len(names), len(args))
        )
    result = {}

    def sys_return(res):
        result["value"] = res

    ns = _function_globals()
    ns.update(
        print=_make_print(console),
        sys_put=_sys_put(state),
        sys_get=_sys_get(state),
        sys_return=sys_return,
        self=_Library(functions, state, console),
    )
    for i, n in enumerate(names):
        ns[n] = args[i]
    exec(compile(spec.get("code") or "", "<function {}>".format(name), "exec"), ns)
    if "value" not in result:
        raise _NoReturn("自定义函数{}没有调用sys_return返回结果".format(name))
    return result["value"]


def _run_function(req, state, console):
    value = _call_custom(req.get("functions") or {}, req["name"], _dec(req.get("args") or []), state, console)
    return {"ok": True, "value": _enc(value)}


class _Element:
    """A WebElement proxy: each method is a command on the case's browser session."""

    def __init__(self, ref):
        self._ref = ref

    def _do(self, method, *args):
        return _wrap(_callback("driver", target=self._ref, method=method, args=_enc(list(args))))

    def click(self):
        return self._do("click")

    def send_keys(self, *value):
        return self._do("send_keys", "".join(str(v) for v in value))

    def clear(self):
        return self._do("clear")

    def submit(self):
        return self._do("submit")

    @property
    def text(self):
        return self._do("text")

    @property
    def tag_name(self):
        return self._do("tag_name")

    def get_attribute(self, name):
        return self._do("get_attribute", name)

    def get_property(self, name):
        return self._do("get_property", name)

    def is_displayed(self):
        return self._do("is_displayed")

    def is_enabled(self):
        return self._do("is_enabled")

    def is_selected(self):
        return self._do("is_selected")

    def value_of_css_property(self, name):
        return self._do("value_of_css_property", name)

    def find_element(self, by="id", value=None):
        return self._do("find_element", by, value)

    def find_elements(self, by="id", value=None):
        return self._do("find_elements", by, value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            "WebElement.{} is not forwarded by the sidecar's driver facade".format(name)
        )


def _wrap(v):
    if isinstance(v, dict) and len(v) == 1 and "$element" in v:
        return _Element(v["$element"])
    if isinstance(v, list):
        return [_wrap(x) for x in v]
    return v


class _Alert:
    def _do(self, method, *args):
        return _callback("driver", target="alert", method=method, args=_enc(list(args)))

    @property
    def text(self):
        return self._do("text")

    def accept(self):
        return self._do("accept")

    def dismiss(self):
        return self._do("dismiss")

    def send_keys(self, value):
        return self._do("send_keys", str(value))


class _SwitchTo:
    def _do(self, method, *args):
        return _wrap(_callback("driver", target="switch_to", method=method, args=_enc(list(args))))

    def frame(self, reference):
        if isinstance(reference, _Element):
            reference = {"$element": reference._ref}
        return self._do("frame", reference)

    def default_content(self):
        return self._do("default_content")

    def parent_frame(self):
        return self._do("parent_frame")

    def window(self, handle):
        return self._do("window", handle)

    @property
    def alert(self):
        return _Alert()

    @property
    def active_element(self):
        return self._do("active_element")


class _Driver:
    """`driver` of WEB custom operations: the common Selenium calls, forwarded to the case's
    WebDriver session by the engine."""

    def _do(self, method, *args):
        return _wrap(_callback("driver", target="driver", method=method, args=_enc(list(args))))

    def find_element(self, by="id", value=None):
        return self._do("find_element", by, value)

    def find_elements(self, by="id", value=None):
        return self._do("find_elements", by, value)

    def execute_script(self, script, *args):
        args = [{"$element": a._ref} if isinstance(a, _Element) else a for a in args]
        return self._do("execute_script", script, *args)

    def get(self, url):
        return self._do("get", url)

    def back(self):
        return self._do("back")

    def forward(self):
        return self._do("forward")

    def refresh(self):
        return self._do("refresh")

    @property
    def title(self):
        return self._do("title")

    @property
    def current_url(self):
        return self._do("current_url")

    @property
    def page_source(self):
        return self._do("page_source")

    @property
    def current_window_handle(self):
        return self._do("current_window_handle")

    @property
    def window_handles(self):
        return self._do("window_handles")

    @property
    def switch_to(self):
        return _SwitchTo()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            "driver.{} is not forwarded by the sidecar's driver facade (forwarded: find_element(s), "
            "execute_script, get, back, forward, refresh, title, current_url, page_source, "
            "window handles, switch_to.frame/window/alert/default_content)".format(name)
        )


def _run_web(req, state, console):
    result = {}

    def sys_return(res):
        result["value"] = res

    element = {k: tuple(v) if isinstance(v, list) else v for k, v in (req.get("element") or {}).items()}
    ns = {
        "__builtins__": builtins,
        "__name__": "__liuma_web__",
        "print": _make_print(console),
        "sys_get": _sys_get(state),
        "sys_put": _sys_put(state),
        "sys_return": sys_return,
        "driver": _Driver(),
        "element": element,
        "data": _dec(req.get("data") or {}),
        "test": _Bag(context=state["context"], params=state["params"]),
    }
    exec(compile(req["code"], "<custom operation>", "exec"), ns)
    answer = {"ok": True}
    if req.get("wants_return"):
        if "value" not in result:
            raise KeyError("自定义操作没有调用sys_return返回结果")
        answer["value"] = _enc(result["value"])
    return answer


_HANDLERS = {"script": _run_script, "function": _run_function, "web": _run_web}


def _main():
    _send({"ready": True, "python": sys.version.split()[0], "pid": os.getpid()})
    while True:
        req = _receive()
        console = _Console()
        state = {"context": _dec(req.get("context") or {}), "params": _dec(req.get("params") or {})}
        handler = _HANDLERS.get(req.get("op"))
        try:
            if handler is None:
                raise ValueError("unknown sidecar request {!r}".format(req.get("op")))
            answer = handler(req, state, console)
        except BaseException as exc:  # noqa: B036 - user code may raise anything, SystemExit too
            answer = _outcome(exc)
        try:
            reply = _finish(answer, state, console)
        except Exception as exc:
            reply = _outcome(exc)
            reply["message"] = "the values could not be sent back to the engine: " + reply["message"]
            reply["console"] = console.getvalue()
        _send(reply)


_main()
