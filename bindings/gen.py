#!/usr/bin/env python3
"""Generate the libcrm binding description and the Python ctypes layer.

The public headers are the single source of truth for every binding. This
script reads them the way STYLE.md section 3.11 describes and writes:

* ``bindings/crm-api.json``: the intermediate representation (IR) of the API:
  version, constants, enums, opaque handles, structs, function-pointer
  typedefs and functions with parameter directions and roles, plus the
  documentation taken from the headers' ``/** */`` blocks;
* ``bindings/python/libcrm/_capi.py``: the low-level ctypes module;
* ``lib/libcrm.symbols``: the sorted list of exported functions, which the ABI
  export check compares with ``nm -D --defined-only`` of libcrm.so.

Usage::

    python3 bindings/gen.py            # regenerate the files above
    python3 bindings/gen.py --check    # exit 1 with a unified diff when a
                                       # committed file is out of date

How the headers are read:

1. ``cc -E -DCRM_BINDGEN -Iinclude include/crm.h`` preprocesses the umbrella
   header (the headers skip their system includes under CRM_BINDGEN, and
   CRM_API expands to nothing). The line markers are kept so that every error
   and every documentation lookup has a ``file:line``.
2. ``cc -dM -E`` lists the macros; object-like ``CRM_*`` macros whose value is
   a literal (integer constant expression, float or string) become constants.
3. A small recursive-descent parser accepts only the house subset of C
   (STYLE.md 3.8): typedef'd opaque structs, enums with explicit values,
   structs of scalar, pointer and function-pointer fields, function-pointer
   typedefs and function prototypes. Anything else stops generation with an
   error naming the declaration.
4. Meaning is inferred from names and types: a ``crm_X **`` parameter returns
   an owned handle freed by ``crm_X_free``; ``char **`` returns a string freed
   by ``crm_free``; ``const char **`` and a returned ``const char *`` are
   borrowed; ``(const T *x, size_t n)`` pairs are sequences; a ``crm_status``
   return is checked and raised. ``@param[in|out]``, ``@type[enum|flags]``
   and ``@since`` tags from the doc block above each declaration refine and
   confirm this.
5. When ``clang`` is installed, its JSON AST of the same headers is compared
   with the parsed declarations; any difference in a signature is an error.

Only the Python standard library is used. The output is byte-for-byte
reproducible: no timestamps, no machine paths, sorted keys where order
carries no meaning, header order for declarations.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
INCLUDE_DIR = "include"
UMBRELLA = "include/crm.h"
OUT_IR = "bindings/crm-api.json"
OUT_PY = "bindings/python/libcrm/_capi.py"
OUT_SYMBOLS = "lib/libcrm.symbols"
IR_VERSION = 3  # 2: "integer", "element", "nul_terminated"; 3: defaults, layouts, statuses

# Macros that are part of the header machinery, not constants.
MACHINERY_MACROS = {"CRM_API", "CRM_BEGIN_DECL", "CRM_END_DECL", "CRM_BINDGEN"}

INTEGER_TYPES = {
    "int": "c_int",
    "int8_t": "c_int8",
    "int16_t": "c_int16",
    "int32_t": "c_int32",
    "int64_t": "c_int64",
    "uint8_t": "c_uint8",
    "uint16_t": "c_uint16",
    "uint32_t": "c_uint32",
    "uint64_t": "c_uint64",
    "size_t": "c_size_t",
}
FLOAT_TYPES = {"float": "c_float", "double": "c_double"}
BUILTIN_TYPES = {"void": "None", "char": "c_char", **INTEGER_TYPES, **FLOAT_TYPES}

# Signedness, width in bits and the <stdint.h>/<limits.h> names of the range of each integer
# type, as recorded in the IR ("integer" entries). size_t has the width of the platform's
# pointers: its bits are null there, and each binding takes them from its own FFI. An enum
# passed by value is an int on every ABI libcrm supports (its values are checked to fit).
INTEGER_RANGES = {
    "int": (True, 32, "INT_MIN", "INT_MAX"),
    "int8_t": (True, 8, "INT8_MIN", "INT8_MAX"),
    "int16_t": (True, 16, "INT16_MIN", "INT16_MAX"),
    "int32_t": (True, 32, "INT32_MIN", "INT32_MAX"),
    "int64_t": (True, 64, "INT64_MIN", "INT64_MAX"),
    "uint8_t": (False, 8, "0", "UINT8_MAX"),
    "uint16_t": (False, 16, "0", "UINT16_MAX"),
    "uint32_t": (False, 32, "0", "UINT32_MAX"),
    "uint64_t": (False, 64, "0", "UINT64_MAX"),
    "size_t": (False, None, "0", "SIZE_MAX"),
}
assert set(INTEGER_RANGES) == set(INTEGER_TYPES)
ENUM_RANGE = (True, 32, "INT_MIN", "INT_MAX")

# Parameter roles through which a function hands back a result (named out / out_<what>).
OUTPUT_ROLES = ("handle_out", "string_out", "borrowed_string_out", "scalar_out", "array_out")

# Words that are valid C but outside the house subset, with the reason.
FORBIDDEN_WORDS = {
    "long": "'long' changes size between platforms; use int32_t or int64_t (STYLE 3.8)",
    "short": "'short' is not allowed; use a fixed-width type (STYLE 3.8)",
    "unsigned": "'unsigned' is not allowed; use uint64_t or another fixed-width type (STYLE 3.8)",
    "signed": "'signed' is not allowed; use a fixed-width type (STYLE 3.8)",
    "bool": "'bool' is not allowed; use int32_t 0/1 (STYLE 3.8)",
    "_Bool": "'_Bool' is not allowed; use int32_t 0/1 (STYLE 3.8)",
    "union": "unions are not allowed (STYLE 3.8)",
    "volatile": "'volatile' is not part of the house subset",
    "restrict": "'restrict' is not part of the house subset",
    "__restrict": "'restrict' is not part of the house subset",
    "_Atomic": "'_Atomic' is not part of the house subset",
    "static": "static declarations (inline functions, globals) do not belong in public headers",
    "inline": "inline functions do not belong in public headers",
    "extern": "write CRM_API instead of 'extern'",
    "register": "'register' is not part of the house subset",
    "__attribute__": "attributes must come from CRM_API, which is empty under CRM_BINDGEN",
    "__declspec": "attributes must come from CRM_API, which is empty under CRM_BINDGEN",
    "_Complex": "complex types are not allowed",
}


class GenError(Exception):
    """A problem that stops generation; the message names file:line and the declaration."""


def warn(message: str) -> None:
    print(f"gen.py: warning: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------
# Running the compiler
# ---------------------------------------------------------------------------

def compiler() -> List[str]:
    """The C compiler command: $CC when set, else cc."""
    return shlex.split(os.environ.get("CC", "").strip() or "cc")


def run_tool(cmd: List[str]) -> str:
    env = dict(os.environ, LC_ALL="C")
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    except OSError as exc:
        raise GenError(f"cannot run {cmd[0]}: {exc}") from None
    if proc.returncode != 0:
        raise GenError(f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stdout


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Token:
    kind: str  # ident, number, char, string, punct, eof
    text: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


TOKEN_RE = re.compile(
    r"""
     (?P<ws>\s+)
    |(?P<ident>[A-Za-z_][A-Za-z_0-9]*)
    |(?P<number>\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*)
    |(?P<char>'(?:\\.|[^\\'])*')
    |(?P<string>"(?:\\.|[^\\"])*")
    |(?P<punct>\.\.\.|<<|>>|->|&&|\|\||==|!=|<=|>=|[{}()\[\];,*=+\-~!/%&|^<>?:.\#])
    """,
    re.X,
)

LINE_MARKER_RE = re.compile(r'^#\s*(?:line\s+)?(\d+)\s+"((?:\\.|[^"\\])*)"')


def tokenize(text: str, file: str, line: int) -> List[Token]:
    """Tokens of one line of C (preprocessed code or a macro value)."""
    tokens = []
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise GenError(f"{file}:{line}: error: unexpected character {text[pos]!r}")
        pos = m.end()
        if m.lastgroup != "ws":
            tokens.append(Token(m.lastgroup, m.group(), file, line))
    return tokens


def normalise_path(path: str) -> str:
    """Repository-relative, '/'-separated form of a path from a line marker."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(ROOT)
        except ValueError:
            return path
    return Path(os.path.normpath(str(p))).as_posix()


def preprocess() -> List[Token]:
    """Tokens of the preprocessed umbrella header, each with its header file:line."""
    out = run_tool(compiler() + ["-E", "-DCRM_BINDGEN", f"-I{INCLUDE_DIR}", UMBRELLA])
    tokens: List[Token] = []
    file, line = UMBRELLA, 1
    for raw in out.split("\n"):
        m = LINE_MARKER_RE.match(raw)
        if m:
            line = int(m.group(1))
            file = normalise_path(m.group(2).encode().decode("unicode_escape"))
            continue
        if raw.lstrip().startswith("#"):
            raise GenError(f"{file}:{line}: error: preprocessor directive left after "
                           f"preprocessing ({raw.strip()!r}) is not part of the house subset")
        line_tokens = tokenize(raw, file, line)
        if line_tokens and not file.startswith(INCLUDE_DIR + "/"):
            raise GenError(
                f"{file}:{line}: error: declarations from outside {INCLUDE_DIR}/ reached the "
                f"binding generator; public headers must skip system includes under CRM_BINDGEN")
        tokens.extend(line_tokens)
        line += 1
    return tokens


# ---------------------------------------------------------------------------
# Integer constant expressions (enum values and macros)
# ---------------------------------------------------------------------------

INT_LITERAL_RE = re.compile(
    r"^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)((?:[uU](?:ll|LL|l|L)?)|(?:(?:ll|LL|l|L)[uU]?))?$")
FLOAT_LITERAL_RE = re.compile(
    r"^((?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)[fFlL]?$")


class NotLiteral(Exception):
    """The expression is not a literal integer constant expression."""


class ConstExpr:
    """Evaluates C integer constant expressions made of literals, operators,
    parentheses and names of already known constants. Anything else (casts,
    sizeof, floating point, unknown names) raises NotLiteral."""

    BINARY = [  # lowest precedence first
        ["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ]

    def __init__(self, tokens: List[Token], names: Dict[str, int]):
        self.toks = tokens
        self.i = 0
        self.names = names
        self.unsigned = False

    @classmethod
    def evaluate(cls, tokens: List[Token], names: Dict[str, int]) -> int:
        if not tokens:
            raise NotLiteral("empty expression")
        ev = cls(tokens, names)
        value = ev.binary(0)
        if ev.i != len(tokens):
            raise NotLiteral(f"unexpected {tokens[ev.i].text!r}")
        if ev.unsigned and value < 0:
            raise NotLiteral("negative value in unsigned arithmetic")
        if not -(1 << 63) <= value < (1 << 64):
            raise NotLiteral("value does not fit in 64 bits")
        return value

    def peek(self) -> Optional[str]:
        return self.toks[self.i].text if self.i < len(self.toks) else None

    def binary(self, level: int) -> int:
        if level == len(self.BINARY):
            return self.unary()
        value = self.binary(level + 1)
        while self.peek() in self.BINARY[level]:
            op = self.toks[self.i].text
            self.i += 1
            rhs = self.binary(level + 1)
            value = self.apply(op, value, rhs)
        return value

    @staticmethod
    def apply(op: str, a: int, b: int) -> int:
        if op in ("/", "%") and b == 0:
            raise NotLiteral("division by zero")
        if op in ("<<", ">>") and not 0 <= b < 64:
            raise NotLiteral("shift out of range")
        if op == "/":
            q = abs(a) // abs(b)
            return q if (a < 0) == (b < 0) else -q  # C truncates toward zero
        if op == "%":
            return a - b * ConstExpr.apply("/", a, b)
        return {
            "|": lambda: a | b, "^": lambda: a ^ b, "&": lambda: a & b,
            "<<": lambda: a << b, ">>": lambda: a >> b,
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
        }[op]()

    def unary(self) -> int:
        op = self.peek()
        if op in ("-", "+", "~", "!"):
            self.i += 1
            v = self.unary()
            return {"-": -v, "+": v, "~": ~v, "!": int(not v)}[op]
        return self.primary()

    def primary(self) -> int:
        if self.i >= len(self.toks):
            raise NotLiteral("unexpected end of expression")
        tok = self.toks[self.i]
        self.i += 1
        if tok.text == "(":
            value = self.binary(0)
            if self.peek() != ")":
                raise NotLiteral("missing ')'")
            self.i += 1
            return value
        if tok.kind == "number":
            m = INT_LITERAL_RE.match(tok.text)
            if not m:
                raise NotLiteral(f"{tok.text!r} is not an integer literal")
            if m.group(2) and "u" in m.group(2).lower():
                self.unsigned = True
            return int(m.group(1), 0) if not re.match(r"^0[0-7]+$", m.group(1)) \
                else int(m.group(1), 8)
        if tok.kind == "char":
            text = decode_c_string(tok.text[1:-1])
            if len(text.encode("utf-8")) != 1:
                raise NotLiteral(f"{tok.text} is not a single-byte character")
            return ord(text)
        if tok.kind == "ident" and tok.text in self.names:
            return self.names[tok.text]
        raise NotLiteral(f"{tok.text!r} is not a literal")


def decode_c_string(body: str) -> str:
    """Value of the inside of a C string literal (escapes resolved)."""
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'",
              "a": "\a", "b": "\b", "f": "\f", "v": "\v", "?": "?"}
    out = bytearray()
    i = 0
    raw = body.encode("utf-8")
    while i < len(raw):
        c = raw[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = chr(raw[i + 1])
        if nxt == "x":
            m = re.match(rb"[0-9a-fA-F]+", raw[i + 2:])
            if not m:
                raise NotLiteral("bad \\x escape")
            out.append(int(m.group(), 16) & 0xFF)
            i += 2 + len(m.group())
        elif nxt in "01234567":
            m = re.match(rb"[0-7]{1,3}", raw[i + 1:])
            out.append(int(m.group(), 8) & 0xFF)
            i += 1 + len(m.group())
        elif nxt in simple:
            out += simple[nxt].encode()
            i += 2
        else:
            raise NotLiteral(f"unsupported escape \\{nxt}")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise NotLiteral("string is not valid UTF-8") from None


def strip_parens(tokens: List[Token]) -> List[Token]:
    while len(tokens) >= 2 and tokens[0].text == "(" and tokens[-1].text == ")":
        depth = 0
        for k, t in enumerate(tokens):
            depth += {"(": 1, ")": -1}.get(t.text, 0)
            if depth == 0 and k != len(tokens) - 1:
                return tokens  # the outer parentheses do not enclose everything
        tokens = tokens[1:-1]
    return tokens


def literal_value(tokens: List[Token], names: Dict[str, object]):
    """(kind, value) of a macro body that is a literal; raises NotLiteral otherwise."""
    inner = strip_parens(tokens)
    if inner and all(t.kind == "string" for t in inner):
        return "string", "".join(decode_c_string(t.text[1:-1]) for t in inner)
    sign = 1
    if len(inner) == 2 and inner[0].text in "+-" and inner[1].kind == "number":
        sign = -1 if inner[0].text == "-" else 1
        inner = inner[1:]
    if len(inner) == 1 and inner[0].kind == "number" and FLOAT_LITERAL_RE.match(inner[0].text):
        return "float", sign * float(inner[0].text.rstrip("fFlL"))
    ints = {k: v for k, v in names.items() if isinstance(v, int)}
    return "int", ConstExpr.evaluate(tokens, ints)


# ---------------------------------------------------------------------------
# The API model
# ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class CType:
    """A C type of the house subset: qualified base, pointer levels, or a function pointer."""
    base: str = ""
    const: bool = False
    ptrs: Tuple[bool, ...] = ()  # one entry per '*', True when that pointer is const
    func: Optional["FuncSig"] = None

    def spell(self) -> str:
        """The type as clang prints it, e.g. 'const char *const *'."""
        if self.func is not None:
            ret = self.func.ret.spell()
            args = ", ".join(p.type.spell() for p in self.func.params) or "void"
            return f"{ret}{'' if ret.endswith('*') else ' '}(*)({args})"
        s = ("const " if self.const else "") + self.base
        if self.ptrs:
            s += " " + "".join("*" + ("const " if c else "") for c in self.ptrs)
        return s.rstrip()

    def declare(self, name: str) -> str:
        """A declaration of `name` with this type, e.g. 'int (*progress)(double, void *)'."""
        if self.func is not None:
            ret = self.func.ret.spell()
            args = ", ".join(p.declare() for p in self.func.params) or "void"
            return f"{ret}{'' if ret.endswith('*') else ' '}(*{name})({args})"
        s = self.spell()
        return f"{s}{'' if s.endswith('*') else ' '}{name}"


@dataclasses.dataclass(frozen=True)
class Param:
    name: Optional[str]
    type: CType

    def declare(self) -> str:
        return self.type.declare(self.name) if self.name else self.type.spell()


@dataclasses.dataclass(frozen=True)
class FuncSig:
    ret: CType
    params: Tuple[Param, ...]


@dataclasses.dataclass
class Decl:
    kind: str  # handle, struct, enum, fnptr, function
    name: str
    file: str
    line: int
    # enum: [(name, value, file, line)]; struct: [(Param, file, line)]
    members: list = dataclasses.field(default_factory=list)
    sig: Optional[FuncSig] = None  # function and fnptr

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class Parser:
    """Recursive-descent parser for the house subset of C (STYLE.md 3.8)."""

    def __init__(self, tokens: List[Token]):
        self.toks = tokens
        self.i = 0
        self.decls: List[Decl] = []
        self.types: Dict[str, str] = {}  # typedef name -> handle/struct/enum/fnptr
        self.enum_values: Dict[str, int] = {}
        self.decl_name: Optional[str] = None
        last = tokens[-1] if tokens else Token("eof", "", UMBRELLA, 1)
        self.eof = Token("eof", "<end of input>", last.file, last.line)

    # -- token helpers --------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else self.eof

    def next(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        if self.peek().text == text and self.peek().kind != "string":
            self.i += 1
            return True
        return False

    def expect(self, text: str, what: str = "") -> Token:
        tok = self.peek()
        if tok.text != text:
            self.error(f"expected '{text}'{' ' + what if what else ''} but found '{tok.text}'", tok)
        return self.next()

    def ident(self, what: str) -> Token:
        tok = self.peek()
        if tok.kind != "ident":
            self.error(f"expected {what} but found '{tok.text}'", tok)
        if tok.text in FORBIDDEN_WORDS:
            self.error(FORBIDDEN_WORDS[tok.text], tok)
        return self.next()

    def error(self, message: str, tok: Optional[Token] = None):
        tok = tok or self.peek()
        where = f" in the declaration of {self.decl_name}" if self.decl_name else ""
        raise GenError(f"{tok.where}: error{where}: {message}")

    # -- declarations ---------------------------------------------------------
    def lookahead_name(self) -> Optional[str]:
        """Best guess at the name being declared, for error messages."""
        j, depth, before_paren = self.i, 0, None
        toks = []
        while j < len(self.toks) and not (self.toks[j].text == ";" and depth == 0):
            t = self.toks[j]
            depth += {"{": 1, "}": -1}.get(t.text, 0)
            toks.append(t)
            j += 1
        texts = [t.text for t in toks]
        if texts[:1] == ["typedef"] and len(texts) > 2 and texts[1] in ("struct", "enum", "union"):
            return texts[2]
        for k in range(len(texts) - 2):
            if texts[k] == "(" and texts[k + 1] == "*" and toks[k + 2].kind == "ident":
                return texts[k + 2]
        for k, t in enumerate(toks):
            if t.text == "(" and k > 0 and toks[k - 1].kind == "ident":
                before_paren = toks[k - 1].text
                break
        if before_paren:
            return before_paren
        idents = [t.text for t in toks if t.kind == "ident"]
        return idents[-1] if idents else None

    def parse(self) -> List[Decl]:
        while self.peek().kind != "eof":
            self.decl_name = self.lookahead_name()
            start = self.peek()
            if self.accept("typedef"):
                self.parse_typedef(start)
            else:
                self.parse_function(start)
            self.decl_name = None
        return self.decls

    def check_name(self, tok: Token, prefix: str = "crm_") -> str:
        name = tok.text
        if not name.startswith(prefix):
            self.error(f"'{name}' is not in the {prefix}* namespace", tok)
        if name.startswith(prefix + "_"):
            self.error(f"'{name}' is an internal name ({prefix}_*) and must not be in a "
                       "public header", tok)
        return name

    def define_type(self, tok: Token, kind: str) -> None:
        name = tok.text
        if name in self.types or name in BUILTIN_TYPES:
            self.error(f"'{name}' is declared twice", tok)
        self.types[name] = kind

    def parse_typedef(self, start: Token) -> None:
        tok = self.peek()
        if tok.text == "union":
            self.error(FORBIDDEN_WORDS["union"], tok)
        if tok.text in ("struct", "enum"):
            keyword = self.next().text
            if self.peek().text == "{":
                self.error(f"give the {keyword} a tag equal to its typedef name "
                           f"(typedef {keyword} crm_x {{ ... }} crm_x;)")
            tag = self.ident(f"a {keyword} tag")
            if keyword == "enum":
                self.parse_enum(start, tag)
            elif self.peek().text == "{":
                self.parse_struct(start, tag)
            else:
                name = self.ident("the typedef name")
                self.expect(";", "after the typedef")
                if name.text != tag.text:
                    self.error(f"opaque handle typedef name '{name.text}' differs from its "
                               f"struct tag '{tag.text}'", name)
                self.check_name(name)
                self.define_type(name, "handle")
                self.decls.append(Decl("handle", name.text, start.file, start.line))
            return
        ret = self.parse_type()
        if self.peek().text != "(":
            self.error("only opaque structs, structs, enums and function-pointer typedefs "
                       "are part of the house subset (no plain type aliases)")
        name, ctype = self.parse_declarator(ret, named=True)
        if ctype.func is None:
            self.error("expected a function-pointer typedef")
        self.expect(";", "after the typedef")
        self.check_name(name)
        self.define_type(name, "fnptr")
        self.decls.append(Decl("fnptr", name.text, start.file, start.line, sig=ctype.func))

    def parse_enum(self, start: Token, tag: Token) -> None:
        self.expect("{", "to open the enum")
        members = []
        while self.peek().text != "}":
            name_tok = self.ident("an enum constant")
            name = self.check_name(name_tok, "CRM_")
            if name in self.enum_values:
                self.error(f"enum constant {name} is declared twice", name_tok)
            if not self.accept("="):
                self.error(f"enum constant {name} needs an explicit value (= N); "
                           "values are pinned (STYLE 3.8)", name_tok)
            expr: List[Token] = []
            depth = 0
            while not (depth == 0 and self.peek().text in (",", "}")):
                t = self.next()
                if t.kind == "eof":
                    self.error("unterminated enum", t)
                depth += {"(": 1, ")": -1}.get(t.text, 0)
                expr.append(t)
            try:
                value = ConstExpr.evaluate(expr, self.enum_values)
            except NotLiteral as exc:
                self.error(f"value of {name} is not an integer constant expression ({exc})",
                           name_tok)
            if not -(1 << 31) <= value < (1 << 31):
                self.error(f"value of {name} does not fit in an int", name_tok)
            self.enum_values[name] = value
            members.append((name, value, name_tok.file, name_tok.line))
            if not self.accept(","):
                break
        self.expect("}", "to close the enum")
        if not members:
            self.error("empty enum")
        name = self.ident("the typedef name")
        self.expect(";", "after the enum")
        if name.text != tag.text:
            self.error(f"enum typedef name '{name.text}' differs from its tag '{tag.text}'", name)
        self.check_name(name)
        self.define_type(name, "enum")
        self.decls.append(Decl("enum", name.text, start.file, start.line, members=members))

    def parse_struct(self, start: Token, tag: Token) -> None:
        self.check_name(tag)
        # The struct may refer to itself only through pointers; register it first.
        self.define_type(tag, "struct")
        self.expect("{", "to open the struct")
        fields = []
        while self.peek().text != "}":
            if self.peek().kind == "eof":
                self.error("unterminated struct")
            ftype = self.parse_type()
            name_tok = self.peek()
            name, ftype = self.parse_declarator(ftype, named=True)
            if self.peek().text == ":":
                self.error("bitfields are not allowed in options structs (STYLE 3.6)")
            if self.peek().text == ",":
                self.error("declare one field per statement")
            self.expect(";", "after the field")
            self.check_field(name.text, ftype, name_tok)
            if any(f[0].name == name.text for f in fields):
                self.error(f"field '{name.text}' is declared twice", name_tok)
            fields.append((Param(name.text, ftype), name_tok.file, name_tok.line))
        self.expect("}", "to close the struct")
        name = self.ident("the typedef name")
        self.expect(";", "after the struct")
        if name.text != tag.text:
            self.error(f"struct typedef name '{name.text}' differs from its tag '{tag.text}'", name)
        if not fields:
            self.error("empty struct")
        if tag.text.endswith("_options"):
            first = fields[0][0]
            if first.name != "size" or first.type != CType("size_t"):
                self.error("the first member of an options struct must be 'size_t size' "
                           "(STYLE 3.6)")
        self.decls.append(Decl("struct", name.text, start.file, start.line, members=fields))

    def check_field(self, name: str, ftype: CType, tok: Token) -> None:
        if ftype.func is not None or ftype.ptrs:
            return
        kind = self.types.get(ftype.base)
        if kind == "enum":
            self.error(f"field '{name}' has an enum type; store int32_t and tag it "
                       f"@type[enum] {ftype.base} (STYLE 3.6)", tok)
        if kind in ("struct", "handle"):
            self.error(f"field '{name}' holds a struct by value (STYLE 3.6)", tok)
        if ftype.base in ("int", "char", "float"):
            self.error(f"field '{name}' has type {ftype.base}; fields hold fixed-width types "
                       "(int32_t, int64_t, uint64_t, double, size_t) (STYLE 3.6)", tok)

    def parse_function(self, start: Token) -> None:
        ret = self.parse_type()
        name = self.ident("a function name")
        if self.peek().text != "(":
            self.error("expected a function prototype; global variables are not part of the "
                       "house subset", self.peek())
        self.check_name(name)
        params = self.parse_params(named=True)
        if self.peek().text == "{":
            self.error("function bodies do not belong in public headers")
        self.expect(";", "after the prototype (one declaration per statement)")
        if any(d.kind == "function" and d.name == name.text for d in self.decls):
            self.error(f"function {name.text} is declared twice", name)
        self.decls.append(Decl("function", name.text, start.file, start.line,
                               sig=FuncSig(ret, tuple(params))))

    # -- types ----------------------------------------------------------------
    def parse_type(self) -> CType:
        const = False
        base: Optional[str] = None
        while True:
            tok = self.peek()
            if tok.kind != "ident":
                break
            if tok.text in FORBIDDEN_WORDS:
                self.error(FORBIDDEN_WORDS[tok.text], tok)
            if tok.text == "const":
                if const:
                    self.error("duplicate 'const'", tok)
                const = True
                self.next()
                continue
            if base is not None:
                break
            if tok.text in ("struct", "enum"):
                self.error(f"write the typedef name instead of '{tok.text} "
                           f"{self.peek(1).text}'", tok)
            if tok.text not in BUILTIN_TYPES and tok.text not in self.types:
                self.error(f"unknown type '{tok.text}' (only int32_t, int64_t, uint64_t, "
                           "size_t, double, char, void and crm_* typedefs declared earlier "
                           "are allowed)", tok)
            base = tok.text
            self.next()
        if base is None:
            self.error(f"expected a type but found '{self.peek().text}'")
        ptrs: List[bool] = []
        while self.accept("*"):
            ptrs.append(self.accept("const"))
        if self.peek().text in FORBIDDEN_WORDS:
            self.error(FORBIDDEN_WORDS[self.peek().text])
        return CType(base, const, tuple(ptrs))

    def parse_declarator(self, base: CType, named: bool) -> Tuple[Optional[Token], CType]:
        """`name`, `(*name)(params)` (function pointer), or nothing when unnamed."""
        if self.peek().text == "(" and self.peek(1).text == "*":
            self.next()
            self.next()
            if self.peek().text == "const":
                self.error("const function pointers are not part of the house subset")
            name = self.ident("a name") if named or self.peek().kind == "ident" else None
            self.expect(")", "after the function-pointer name")
            params = self.parse_params(named=False)
            if self.peek().text == "(":
                self.error("functions returning function pointers are not allowed")
            return name, CType(func=FuncSig(base, tuple(params)))
        if self.peek().kind == "ident" or named:
            name = self.ident("a name")
        else:
            name = None
        if self.peek().text == "[":
            self.error("arrays are not part of the house subset; use (const T *values, size_t n)")
        return name, base

    def parse_params(self, named: bool) -> List[Param]:
        self.expect("(", "to open the parameter list")
        if self.peek().text == ")":
            self.error("write (void) for an empty parameter list")
        if self.peek().text == "void" and self.peek(1).text == ")":
            self.next()
            self.next()
            return []
        params: List[Param] = []
        while True:
            if self.peek().text == "...":
                self.error("variadic functions are not allowed (STYLE 3.8)")
            ptype = self.parse_type()
            tok = self.peek()
            name, ptype = self.parse_declarator(ptype, named=named)
            if ptype.func is None and not ptype.ptrs and ptype.base == "void":
                self.error("a parameter cannot have type void", tok)
            if name is not None and any(p.name == name.text for p in params):
                self.error(f"parameter '{name.text}' appears twice", name)
            params.append(Param(name.text if name else None, ptype))
            if self.accept(","):
                continue
            self.expect(")", "to close the parameter list")
            return params


# ---------------------------------------------------------------------------
# Documentation from the raw headers
# ---------------------------------------------------------------------------

TAG_RE = re.compile(r"^@(\w+)(?:\[([^\]]*)\])?\s*(.*)$")
INLINE_TAG_RE = re.compile(r"(?<=\S)\s+(?=@(?:param|returns?|since)\b)")
TYPE_TAG_RE = re.compile(r"@type\[(enum|flags)\]\s+(\w+)")

# The default of an options field, as its doc writes it: "default V" or "V (default...)",
# where V is a number, NULL, a CRM_ name (enum member or constant), a character or string
# literal, or sqrt(DBL_EPSILON).
DEFAULT_VALUE = (r"(?P<value>-?(?:0[xX][0-9A-Fa-f]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)"
                 r"(?:[eE][+-]?[0-9]+)?)|NULL|CRM_[A-Z0-9_]+|'(?:\\.|[^'\\])'"
                 r"|\"(?:\\.|[^\"\\])*\"|sqrt\(DBL_EPSILON\))")
DEFAULT_FORMS = (
    re.compile(r"(?<![A-Za-z0-9_])[Dd]efault:?\s+" + DEFAULT_VALUE + r"(?![A-Za-z0-9_])"),
    re.compile(r"(?<![A-Za-z0-9_.'\"-])" + DEFAULT_VALUE + r"\s+\(default\b"),
)


class Sources:
    """Raw header text, for the /** */ blocks the preprocessor removes."""

    def __init__(self):
        self.cache: Dict[str, List[str]] = {}

    def lines(self, file: str) -> List[str]:
        if file not in self.cache:
            self.cache[file] = (ROOT / file).read_text(encoding="utf-8").split("\n")
        return self.cache[file]

    def block_above(self, file: str, line: int) -> Optional[str]:
        """The /** */ block whose end is on the line directly above `line` (1-based)."""
        lines = self.lines(file)
        idx = line - 2
        if idx < 0 or not lines[idx].rstrip().endswith("*/"):
            return None
        text = "\n".join(lines[:idx + 1])
        end = text.rstrip().rfind("*/")
        start = text.rfind("/*", 0, end)
        if start < 0 or not text.startswith("/**", start) or text.startswith("/**<", start) \
                or text.startswith("/**/", start):
            return None
        before = text[text.rfind("\n", 0, start) + 1:start]
        if before.strip():
            return None  # a trailing comment of the previous line, not a doc block
        return text[start + 3:end]

    def trailing(self, file: str, line: int) -> Optional[str]:
        """The /**< */ comment that starts on `line` (members of enums and structs)."""
        lines = self.lines(file)
        here = lines[line - 1]
        start = here.find("/**<")
        if start < 0:
            return None
        text = "\n".join(lines[line - 1:])
        start = text.find("/**<")
        end = text.find("*/", start)
        if end < 0:
            return None
        return text[start + 4:end]

    def define_location(self, name: str) -> Optional[Tuple[str, int]]:
        pattern = re.compile(r"^\s*#\s*define\s+" + re.escape(name) + r"\b")
        for path in sorted((ROOT / INCLUDE_DIR).rglob("*.h")):
            rel = path.relative_to(ROOT).as_posix()
            for k, text in enumerate(self.lines(rel)):
                if pattern.match(text):
                    return rel, k + 1
        return None


def clean_block(body: str) -> List[str]:
    """Lines of a doc block without the comment decoration ( * ) but with the
    extra indentation of continuation lines kept."""
    out = []
    for raw in body.split("\n"):
        s = raw.rstrip()
        stripped = s.lstrip()
        if stripped.startswith("*") and not stripped.startswith("*/"):
            s = stripped[1:]
            if s.startswith(" "):
                s = s[1:]
        else:
            s = stripped
        out.append(s)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def clean_trailing(body: str) -> str:
    return " ".join(part.strip().lstrip("*").strip() for part in body.split("\n")
                    if part.strip().lstrip("*").strip())


@dataclasses.dataclass
class Doc:
    text: str = ""
    summary: str = ""
    params: Dict[str, dict] = dataclasses.field(default_factory=dict)
    returns: Optional[str] = None
    since: Optional[str] = None
    type_tag: Optional[Tuple[str, str]] = None  # ("enum"|"flags", name)


def parse_doc(body: Optional[str]) -> Optional[Doc]:
    if body is None:
        return None
    lines = clean_block(body)
    doc = Doc(text="\n".join(lines))
    # A block tag may also follow text on the same line (`/** Free it. @param[in] p ... */`).
    lines = [part for line in lines for part in INLINE_TAG_RE.split(line)]
    summary: List[str] = []
    in_summary = True
    current: Optional[dict] = None
    for line in lines:
        s = line.strip()
        m = TAG_RE.match(s)
        if m:
            in_summary = False
            tag, opt, rest = m.group(1), m.group(2), m.group(3)
            current = None
            if tag == "param":
                parts = rest.split(None, 1)
                if parts:
                    entry = {"direction": opt, "text": parts[1].strip() if len(parts) > 1 else ""}
                    doc.params[parts[0]] = entry
                    current = entry
            elif tag in ("return", "returns"):
                current = {"text": rest.strip()}
                doc.returns = current  # type: ignore[assignment]
            elif tag == "since":
                doc.since = rest.strip()
            elif tag == "type" and opt in ("enum", "flags") and rest.split():
                doc.type_tag = (opt, rest.split()[0])
            continue
        if not s:
            in_summary = False
            current = None
            continue
        if in_summary:
            summary.append(s)
        elif current is not None and line.startswith(" "):
            current["text"] = (current["text"] + " " + s).strip()
        else:
            current = None
    if isinstance(doc.returns, dict):
        doc.returns = doc.returns["text"]
    doc.summary = " ".join(summary)
    return doc


# ---------------------------------------------------------------------------
# Semantic analysis: from declarations to the IR
# ---------------------------------------------------------------------------

STATUS_NAME_RE = re.compile(r"(?<![A-Za-z0-9_])(CRM_OK|CRM_E_[A-Z]+)(?![A-Za-z0-9_])")


def doc_section(doc: Optional[Doc], label: str) -> Optional[str]:
    """The text of a doc block's `Label: ...` paragraph (Ownership, Thread-safety): from a line
    that starts with it, outside any @param/@return, to the next such label, tag or blank
    line; None when the block has none."""
    if doc is None:
        return None
    found: Optional[List[str]] = None
    for line in doc.text.split("\n"):
        s = line.strip()
        if found is not None:
            if not s or s.startswith("@") or re.match(r"^[A-Z][A-Za-z-]*: ", s) and \
                    not line.startswith(" "):
                break
            found.append(s)
        elif line.startswith(label + ":"):
            found = [line[len(label) + 1:].strip()]
    return " ".join(found).strip() if found is not None else None


def normalise_direction(d: Optional[str]) -> Optional[str]:
    if d is None:
        return None
    d = d.replace(" ", "").lower()
    return {"in": "in", "out": "out", "in,out": "inout", "inout": "inout",
            "out,in": "inout"}.get(d, d)


class Analyzer:
    def __init__(self, decls: List[Decl], sources: Sources):
        self.decls = decls
        self.src = sources
        self.kinds: Dict[str, str] = {d.name: d.kind for d in decls if d.kind != "function"}
        self.functions = {d.name: d for d in decls if d.kind == "function"}
        self.enums = {d.name for d in decls if d.kind == "enum"}
        self.fnptr_sigs = {d.name: d.sig for d in decls if d.kind == "fnptr"}
        self.members = {d.name: {m[0]: m[1] for m in d.members} for d in decls
                        if d.kind == "enum"}
        self.constants: Dict[str, object] = {}  # literal CRM_* macros, set by build_ir
        self.status_refs: Dict[str, List[str]] = {}  # "every error of crm_x()" in @return

    def kind(self, base: str) -> str:
        return self.kinds.get(base, "builtin")

    def integer(self, base: str) -> Optional[dict]:
        """The IR "integer" entry of a value of type `base`: its exact C type, signedness,
        width and range (limit macro names); None when `base` is not an integer type."""
        if base in INTEGER_RANGES:
            signed, bits, lo, hi = INTEGER_RANGES[base]
        elif self.kind(base) == "enum":
            signed, bits, lo, hi = ENUM_RANGE
        else:
            return None
        return {"c_type": base, "signed": signed, "bits": bits, "min": lo, "max": hi}

    def describe_value(self, entry: dict, t: CType) -> None:
        """Add what a binding must check before converting a value of type `t`:
        "integer" for an integer or enum passed by value, "element" (an integer entry) for a
        pointer to integers, and "nul_terminated" for text (false for a (data, length)
        buffer, which the caller sets afterwards)."""
        if t.func is not None:
            return
        if not t.ptrs:
            integer = self.integer(t.base)
            if integer is not None:
                entry["integer"] = integer
        elif t.base == "char":
            entry["nul_terminated"] = True
        elif len(t.ptrs) == 1:
            integer = self.integer(t.base)
            if integer is not None:
                entry["element"] = integer

    def describe_callback(self, entry: dict, t: CType) -> None:
        """A callback whose type is a function-pointer typedef (crm_progress_fn) records the
        typedef's name in "typedef" and its signature in "function_type", spelled as an
        unnamed function pointer would be ('int32_t (*)(double, void *)')."""
        if t.func is None and not t.ptrs and self.kind(t.base) == "fnptr":
            entry["typedef"] = t.base
            entry["function_type"] = CType(func=self.fnptr_sigs[t.base]).spell()

    def fail(self, decl: Decl, message: str):
        raise GenError(f"{decl.where}: error in the declaration of {decl.name}: {message}")

    def doc_for(self, decl: Decl) -> Optional[Doc]:
        doc = parse_doc(self.src.block_above(decl.file, decl.line))
        if doc is None:
            warn(f"{decl.where}: {decl.name} has no /** */ doc block directly above it")
        return doc

    @staticmethod
    def doc_json(doc: Optional[Doc]) -> dict:
        if doc is None:
            return {"summary": "", "text": ""}
        return {"summary": doc.summary, "text": doc.text}

    def check_enum_ref(self, decl: Decl, tag: Optional[Tuple[str, str]], what: str):
        if tag and tag[1] not in self.enums:
            self.fail(decl, f"{what} is tagged @type[{tag[0]}] {tag[1]}, but there is no "
                            f"enum {tag[1]}")

    def check_untagged_enum(self, where: str, owner: str, what: str, t: CType, text: str,
                            tagged: bool) -> None:
        """An int32_t (or other integer) field, parameter or return value, or a pointer to one
        that the function fills, whose doc names a crm_ enum type must carry the
        `@type[enum] crm_x` tag, so that every binding can map the enum's member names."""
        if tagged or t.func is not None or t.base not in INTEGER_TYPES:
            return
        if t.ptrs and (len(t.ptrs) != 1 or t.const):
            return  # arrays passed in are not one enum value
        for name in sorted(self.enums):
            if re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", text):
                raise GenError(f"{where}: error in the declaration of {owner}: {what} is "
                               f"{t.spell()} and its doc names the enum {name}, but it lacks "
                               f"the tag; write '@type[enum] {name}' in its doc")

    def field_default(self, where: str, owner: str, field: Param, entry: dict,
                      text: str) -> None:
        """Set entry["default"] (and "default_name" when the doc names an enum member or a
        constant) from the field's doc: the value crm_x_options_init() gives the field."""
        t = field.type
        found = []
        for form in DEFAULT_FORMS:
            for m in form.finditer(" ".join(text.split())):
                found.append((m.start(), m.group("value")))
                break
        if not found:
            raise GenError(f"{where}: error in the declaration of {owner}: field {field.name} "
                           "has no default in its doc; write 'default V' or 'V (default)' "
                           "with V a number, NULL, an enum member or CRM_ constant, or a "
                           "literal")
        value = min(found)[1]

        def bad(why: str):
            raise GenError(f"{where}: error in the declaration of {owner}: field {field.name}: "
                           f"default {value} {why}")

        pointer = bool(t.ptrs) or t.func is not None or self.kind(t.base) == "fnptr"
        if value == "NULL":
            if not pointer:
                bad(f"is not a value of type {t.spell()}")
            entry["default"] = None
            return
        if pointer:
            if t.base == "char" and len(t.ptrs) == 1 and value.startswith('"'):
                entry["default"] = decode_c_string(value[1:-1])
                return
            bad(f"does not fit the pointer type {t.spell()} (write NULL)")
        enum = entry.get("enum")
        if value.startswith("CRM_"):
            if enum is not None:
                if value not in self.members[enum]:
                    bad(f"is not a member of {enum}")
                number = self.members[enum][value]
            elif value in self.constants:
                number = self.constants[value]
            else:
                bad("is neither an enum member nor a literal CRM_ constant")
            entry["default_name"] = value
        elif value.startswith("'"):
            text_value = decode_c_string(value[1:-1])
            if len(text_value.encode("utf-8")) != 1:
                bad("is not a single-byte character")
            number = ord(text_value)
        elif value.startswith('"'):
            bad(f"is a string, but the field is {t.spell()}")
        elif value == "sqrt(DBL_EPSILON)":
            number = math.sqrt(sys.float_info.epsilon)
        elif re.match(r"^-?0[xX]", value):
            number = int(value, 16)
        else:
            number = float(value)
        if t.base in INTEGER_TYPES:
            if isinstance(number, float):
                if not number.is_integer():
                    bad(f"is not an integer, but the field is {t.spell()}")
                number = int(number)
            if not isinstance(number, int):
                bad(f"is not an integer, but the field is {t.spell()}")
            signed, bits, _lo, _hi = INTEGER_RANGES[t.base]
            bits = bits or 64
            lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
            if not lo <= number <= hi:
                bad(f"does not fit in {t.spell()}")
            if enum is not None and "default_name" not in entry:
                names = [k for k, v in self.members[enum].items() if v == number]
                if not names:
                    bad(f"is not a value of {enum}")
                entry["default_name"] = names[0]
        elif t.base in FLOAT_TYPES:
            number = float(number)
        else:
            bad(f"cannot be checked for the type {t.spell()}")
        entry["default"] = number

    def param_line(self, decl: Decl, name: str) -> str:
        """file:line of the `@param ... name` line in the doc block above a function."""
        lines = self.src.lines(decl.file)
        pattern = re.compile(r"@param(?:\[[^\]]*\])?\s+" + re.escape(name) + r"\b")
        k = decl.line - 2
        while k >= 0:
            if pattern.search(lines[k]):
                return f"{decl.file}:{k + 1}"
            if "/**" in lines[k]:
                break
            k -= 1
        return decl.where

    # -- each kind ------------------------------------------------------------
    def handle(self, decl: Decl) -> dict:
        doc = self.doc_for(decl)
        free = f"{decl.name}_free"
        fn = self.functions.get(free)
        if fn is None or fn.sig.ret != CType("void") or len(fn.sig.params) != 1 \
                or fn.sig.params[0].type.base != decl.name or len(fn.sig.params[0].type.ptrs) != 1:
            self.fail(decl, f"opaque handle {decl.name} needs a destructor "
                            f"'void {free}({decl.name} *)'")
        return {"name": decl.name, "header": decl.file, "free": free,
                "doc": self.doc_json(doc)}

    def enum(self, decl: Decl) -> dict:
        doc = self.doc_for(decl)
        members = []
        for name, value, file, line in decl.members:
            body = self.src.trailing(file, line)
            if body is None:
                block = parse_doc(self.src.block_above(file, line))
                text = " ".join(block.text.split()) if block else ""
            else:
                text = clean_trailing(body)
            members.append({"name": name, "value": value, "doc": text})
        flags = bool(doc and doc.type_tag and doc.type_tag[0] == "flags")
        return {"name": decl.name, "header": decl.file, "flags": flags, "members": members,
                "doc": self.doc_json(doc), "since": doc.since if doc else None}

    def fnptr(self, decl: Decl) -> dict:
        doc = self.doc_for(decl)
        sig = decl.sig
        self.check_signature(decl, sig)
        ptype = CType(func=sig)
        return {
            "name": decl.name, "header": decl.file, "kind": "function_pointer",
            "type": ptype.spell(), "declaration": f"typedef {ptype.declare(decl.name)}",
            "returns": {"type": sig.ret.spell(), "doc": (doc.returns or "") if doc else ""},
            "params": [{"name": p.name, "type": p.type.spell(),
                        "doc": (doc.params.get(p.name, {}).get("text", "") if doc else "")}
                       for p in sig.params],
            "doc": self.doc_json(doc), "since": doc.since if doc else None,
        }

    def struct(self, decl: Decl) -> dict:
        doc = self.doc_for(decl)
        is_options = decl.name.endswith("_options")
        fields = []
        names = [f[0].name for f in decl.members]
        pointer_fields = {f[0].name for f in decl.members if f[0].type.ptrs}
        for index, (field, file, line) in enumerate(decl.members):
            body = self.src.trailing(file, line)
            if body is not None:
                text = clean_trailing(body)
            else:
                block = parse_doc(self.src.block_above(file, line))
                text = " ".join(block.text.split()) if block else ""
            entry = {"name": field.name, "type": field.type.spell()}
            if field.type.func is not None:
                self.check_signature(decl, field.type.func)
                entry["role"] = "callback"
            elif field.type.base == "void" and len(field.type.ptrs) == 1:
                prev = decl.members[index - 1][0] if index else None
                entry["role"] = "user_data" if prev is not None and (
                    prev.type.func is not None or self.kind(prev.type.base) == "fnptr") \
                    else "pointer"
            elif field.type.ptrs:
                counter = f"n_{field.name}"
                if counter in names:
                    entry["length"] = counter
                if field.type.base == "char" and field.type.const and len(field.type.ptrs) == 1:
                    entry["role"] = "string"
                elif field.type.base == "char" and len(field.type.ptrs) == 2:
                    entry["role"] = "string_array"
                else:
                    entry["role"] = "array"
            elif self.kind(field.type.base) == "fnptr":
                entry["role"] = "callback"
                self.describe_callback(entry, field.type)
            elif field.name.startswith("n_") and field.name[2:] in pointer_fields:
                entry["role"] = "length"
                entry["length_of"] = field.name[2:]
            elif is_options and index == 0:
                entry["role"] = "size"
            else:
                entry["role"] = "value"
            tag = None
            m = TYPE_TAG_RE.search(text)
            if m:
                tag = (m.group(1), m.group(2))
                self.check_enum_ref(decl, tag, f"field {field.name}")
                if field.type.ptrs or field.type.base not in INTEGER_TYPES:
                    self.fail(decl, f"field {field.name} is tagged @type[{tag[0]}] but is not "
                                    "an integer")
                entry["enum"] = tag[1]
            self.check_untagged_enum(f"{file}:{line}", decl.name, f"field {field.name}",
                                     field.type, text, tag is not None)
            if is_options and entry["role"] != "size":
                self.field_default(f"{file}:{line}", decl.name, field, entry, text)
            self.describe_value(entry, field.type)
            entry["doc"] = text
            fields.append(entry)
        out = {"name": decl.name, "header": decl.file, "options": is_options, "fields": fields,
               "doc": self.doc_json(doc), "since": doc.since if doc else None}
        if is_options:
            init = f"{decl.name}_init"
            fn = self.functions.get(init)
            want = FuncSig(CType("crm_status"), (Param("opts", CType(decl.name, False, (False,))),
                                                 Param("size", CType("size_t"))))
            if fn is None or fn.sig.ret != want.ret or [p.type for p in fn.sig.params] != \
                    [p.type for p in want.params]:
                self.fail(decl, f"options struct {decl.name} needs "
                                f"'crm_status {init}({decl.name} *opts, size_t size)' "
                                "(STYLE 3.6 / common.h)")
            out["init"] = init
        return out

    def check_signature(self, decl: Decl, sig: FuncSig) -> None:
        for t in [sig.ret] + [p.type for p in sig.params]:
            if t.func is not None:
                self.check_signature(decl, t.func)
                continue
            if not t.ptrs and self.kind(t.base) in ("struct", "handle"):
                self.fail(decl, f"'{t.spell()}' is passed or returned by value; structs go "
                                "through pointers (STYLE 3.8)")
            if len(t.ptrs) > 2:
                self.fail(decl, f"'{t.spell()}' has more than two levels of pointers")

    def function(self, decl: Decl) -> dict:
        doc = self.doc_for(decl)
        sig = decl.sig
        self.check_signature(decl, sig)
        params = sig.params
        if doc:
            for pname in doc.params:
                if pname not in {p.name for p in params}:
                    warn(f"{decl.where}: {decl.name}: @param {pname} names no parameter")
        entries = [self.param(decl, doc, params, k) for k in range(len(params))]
        # Lengths of sequences: mark the size_t partner.
        for entry in entries:
            length = entry.get("length")
            if length:
                partner = next(e for e in entries if e["name"] == length)
                partner["role"] = "length"
                partner["length_of"] = entry["name"]
        self.check_output_names(decl, entries)
        returns = self.returns(decl, sig.ret, doc)
        kind = "function"
        if any(e["role"] == "handle_out" for e in entries):
            kind = "constructor"
        if decl.name.endswith("_free") and len(params) == 1 and sig.ret == CType("void") \
                and self.kind(params[0].type.base) == "handle":
            kind = "destructor"
        if decl.name.endswith("_options_init") and self.kind(decl.name[:-5]) == "struct":
            kind = "options_init"
            entries[-1]["role"] = "size"
        prototype = f"{sig.ret.spell()}{'' if sig.ret.spell().endswith('*') else ' '}" \
                    f"{decl.name}({', '.join(p.declare() for p in params) or 'void'})"
        for entry in entries + [returns]:
            m = re.search(r"(?:^|\s)Ownership:\s*(.*)$", entry["doc"])
            if m:
                entry["ownership"] = m.group(1).strip()
        out = {
            "name": decl.name, "header": decl.file, "kind": kind, "prototype": prototype,
            "type": function_type(sig), "returns": returns, "params": entries,
            "doc": self.doc_json(doc), "since": doc.since if doc else None,
            "statuses": self.statuses(decl, returns),
            "ownership": doc_section(doc, "Ownership"),
            "thread_safety": doc_section(doc, "Thread-safety"),
        }
        if doc is not None and out["thread_safety"] is None:
            self.fail(decl, "the doc block has no 'Thread-safety: ...' paragraph")
        if doc is not None and out["ownership"] is None and \
                not any("ownership" in e for e in entries + [returns]):
            self.fail(decl, "the doc block says nothing about ownership: add an 'Ownership: ...' "
                            "paragraph (or one in the @param/@return of each result)")
        return out

    def statuses(self, decl: Decl, returns: dict) -> List[str]:
        """The crm_status names a function documents in @return, in the order written (a
        function that does not return crm_status: none)."""
        if returns["role"] != "status":
            return []  # cannot fail
        # (a function without a doc block only warns; it gets no statuses)
        known = self.members["crm_status"]
        names: List[str] = []
        # "every error of crm_x()": crm_x's statuses are added once every function is read
        refs = re.findall(r"every (?:error|status) of (crm_\w+)\(\)", returns["doc"])
        for ref in refs:
            if ref not in self.functions:
                self.fail(decl, f"@return refers to the errors of {ref}(), which does not exist")
        if refs:
            self.status_refs[decl.name] = refs
        for name in STATUS_NAME_RE.findall(returns["doc"]):
            if name not in known:
                self.fail(decl, f"@return names {name}, which is not a crm_status value")
            if name not in names:
                names.append(name)
        if "CRM_OK" not in names and returns["doc"]:
            self.fail(decl, "@return must list the statuses the function returns, CRM_OK first "
                            "(e.g. '@return CRM_OK; CRM_E_INVALID (NULL argument); CRM_E_NOMEM')")
        return names

    def check_output_names(self, decl: Decl, entries: List[dict]) -> None:
        """The naming rule of crm/common.h: a parameter the function writes a result through
        (an output role) is named `out` or `out_<what>`, and only such a parameter is."""
        for e in entries:
            is_output = e["role"] in OUTPUT_ROLES
            named = e["name"] == "out" or e["name"].startswith("out_")
            if is_output and not named:
                raise GenError(f"{self.param_line(decl, e['name'])}: error in the declaration of "
                               f"{decl.name}: output parameter {e['name']} ({e['role']}) must be "
                               f"named out or out_<what>, e.g. out_{e['name']} (crm/common.h, "
                               "\"Output parameters\")")
            if named and not is_output:
                raise GenError(f"{self.param_line(decl, e['name'])}: error in the declaration of "
                               f"{decl.name}: parameter {e['name']} is named as an output but is "
                               f"{e['role']} ({e['type']}); only output parameters are named out "
                               "or out_<what> (crm/common.h, \"Output parameters\")")

    def returns(self, decl: Decl, ret: CType, doc: Optional[Doc]) -> dict:
        kind = self.kind(ret.base)
        n = len(ret.ptrs)
        if ret.func is not None:
            self.fail(decl, "functions returning function pointers are not allowed")
        if n == 0:
            if ret.base == "void":
                role = "void"
            elif ret.base == "crm_status":
                role = "status"
            elif kind == "enum":
                role = "enum"
            else:
                role = "value"
        elif n == 1 and ret.base == "char":
            if not ret.const:
                self.fail(decl, "returns 'char *'; hand out owned strings through "
                                "'char **out' (freed with crm_free)")
            role = "borrowed_string"
        elif n == 1 and kind == "handle":
            role = "borrowed_handle"
        elif n == 1 and ret.base == "void":
            role = "pointer"
        else:
            self.fail(decl, f"return type '{ret.spell()}' is not part of the house subset")
        out = {"type": ret.spell(), "role": role, "doc": (doc.returns or "") if doc else ""}
        self.describe_value(out, ret)
        if kind == "enum":
            out["enum"] = ret.base
        m = TYPE_TAG_RE.search(out["doc"])
        if m:
            self.check_enum_ref(decl, (m.group(1), m.group(2)), "the return value")
            out["enum"] = m.group(2)
        if "enum" not in out:
            self.check_untagged_enum(decl.where, decl.name, "the return value", ret, out["doc"],
                                     False)
        return out

    def param(self, decl: Decl, doc: Optional[Doc], params, k: int) -> dict:
        p = params[k]
        t = p.type
        n = len(t.ptrs)
        kind = self.kind(t.base)
        nxt = params[k + 1] if k + 1 < len(params) else None
        prv = params[k - 1] if k > 0 else None
        size_t = CType("size_t")
        entry: dict = {"name": p.name, "type": t.spell()}
        if p.name is None:
            self.fail(decl, "every parameter needs a name")

        def length_after():
            return nxt.name if nxt is not None and nxt.type == size_t else None

        def is_count(q):
            return q is not None and q.type == size_t and re.match(r"^n(_?[a-z0-9]+)?$", q.name)

        inferred = "in"
        if t.func is not None or (n == 0 and kind == "fnptr"):
            role = "callback"
            self.describe_callback(entry, t)
        elif n == 0:
            if t.base == "void":
                self.fail(decl, f"parameter {p.name} has type void")
            role = "value"
            if kind == "enum":
                entry["enum"] = t.base
        elif n == 1:
            if kind == "handle":
                role = "handle"
                inferred = "in" if t.const else "inout"
                entry["handle"] = t.base
            elif t.base == "char":
                if not t.const:
                    self.fail(decl, f"parameter {p.name} is 'char *'; pass strings as "
                                    "'const char *' and return text through 'char **out'")
                role = "buffer" if length_after() else "string"
                if role == "buffer":
                    entry["length"] = length_after()
            elif t.base == "void":
                role = "user_data" if prv is not None and (
                    prv.type.func is not None or self.kind(prv.type.base) == "fnptr") \
                    else "pointer"
                inferred = "in"
            elif kind == "struct":
                entry["struct"] = t.base
                if t.base.endswith("_options"):
                    role = "options"
                    inferred = "in" if t.const else "inout"
                elif t.const:
                    role = "array" if length_after() else "struct"
                    if role == "array":
                        entry["length"] = length_after()
                else:
                    role = "struct"
                    inferred = "inout"
            elif kind == "fnptr":
                self.fail(decl, f"parameter {p.name} is a pointer to a function pointer")
            else:  # numbers and enums
                if kind == "enum":
                    entry["enum"] = t.base
                if t.const:
                    role = "array"
                    if length_after():
                        entry["length"] = length_after()
                else:
                    inferred = "out"
                    # a count right after an input array is that array's length, not this one's
                    # (crm_satisfaction(..., positive, npositive, double *out): one value)
                    before = params[k - 2] if k >= 2 else None
                    counts_input = before is not None and bool(before.type.ptrs) and \
                        before.type.func is None and (before.type.const or before.type.ptrs[0])
                    if is_count(prv) and not counts_input:
                        role = "array_out"
                        entry["length"] = prv.name
                    elif is_count(nxt):
                        role = "array_out"
                        entry["length"] = nxt.name
                    else:
                        role = "scalar_out"
        else:  # two levels
            inner_const = t.ptrs[0]
            if kind == "handle" and not t.const and not inner_const and not t.ptrs[1]:
                role = "handle_out"
                inferred = "out"
                entry["handle"] = t.base
                entry["free"] = f"{t.base}_free"
            elif t.base == "char" and t.const and inner_const:
                role = "string_array"
                if length_after():
                    entry["length"] = length_after()
            elif t.base == "char" and t.const and not inner_const:
                role = "borrowed_string_out"
                inferred = "out"
            elif t.base == "char" and not t.const and not inner_const:
                role = "string_out"
                inferred = "out"
                entry["free"] = "crm_free"
            else:
                self.fail(decl, f"parameter {p.name} has type '{t.spell()}', which is not "
                                "part of the house subset")
        entry["role"] = role
        self.describe_value(entry, t)
        if role == "buffer":
            entry["nul_terminated"] = False

        pdoc = doc.params.get(p.name) if doc else None
        direction = inferred
        declared = normalise_direction(pdoc.get("direction")) if pdoc else None
        if declared is not None:
            if declared not in ("in", "out", "inout"):
                self.fail(decl, f"@param[{pdoc['direction']}] {p.name}: direction must be "
                                "in, out or in,out")
            writable = n >= 1 and t.func is None and (
                (n == 1 and not t.const) or (n == 2 and not t.ptrs[0]))
            if declared in ("out", "inout") and not writable:
                self.fail(decl, f"@param[{pdoc['direction']}] {p.name}, but '{t.spell()}' is "
                                "not a pointer the function can write through")
            if inferred == "out" and declared == "in":
                self.fail(decl, f"@param[in] {p.name}, but '{t.spell()}' is an output "
                                "parameter")
            direction = declared
        entry["direction"] = direction
        text = pdoc["text"] if pdoc else ""
        m = TYPE_TAG_RE.search(text)
        if m:
            tag = (m.group(1), m.group(2))
            self.check_enum_ref(decl, tag, f"parameter {p.name}")
            entry["enum"] = tag[1]
        if "enum" not in entry:
            self.check_untagged_enum(self.param_line(decl, p.name), decl.name,
                                     f"parameter {p.name}", t, text, False)
        entry["doc"] = text
        return entry


def function_type(sig: FuncSig) -> str:
    ret = sig.ret.spell()
    args = ", ".join(p.type.spell() for p in sig.params) or "void"
    return f"{ret}{'' if ret.endswith('*') else ' '}({args})"


def read_constants(sources: Sources) -> List[dict]:
    """Literal CRM_* object-like macros from `cc -dM -E`."""
    out = run_tool(compiler() + ["-dM", "-E", "-DCRM_BINDGEN", f"-I{INCLUDE_DIR}", UMBRELLA])
    bodies: Dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"^#define\s+(CRM_[A-Za-z0-9_]*)(\(?)(.*)$", line)
        if not m or m.group(2) == "(":
            continue  # not ours, or function-like
        name, body = m.group(1), m.group(3).strip()
        if name in MACHINERY_MACROS or not body:
            continue  # header machinery and include guards
        bodies[name] = body
    values: Dict[str, object] = {}
    kinds: Dict[str, str] = {}
    pending = dict(bodies)
    while pending:  # resolve macros defined in terms of other literal macros
        progress = False
        for name in sorted(pending):
            try:
                kind, value = literal_value(tokenize(pending[name], "<macro>", 1), values)
            except (NotLiteral, GenError):
                continue
            values[name], kinds[name] = value, kind
            del pending[name]
            progress = True
        if not progress:
            break  # the rest are not literals (initialisers, casts, ...): skipped
    constants = []
    for name in sorted(values):
        loc = sources.define_location(name)
        doc = parse_doc(sources.block_above(*loc)) if loc else None
        constants.append({
            "name": name, "kind": kinds[name], "value": values[name], "expr": bodies[name],
            "header": loc[0] if loc else None,
            "doc": Analyzer.doc_json(doc),
        })
    return constants


def build_ir() -> dict:
    """Read the headers and return the IR (raises GenError)."""
    tokens = preprocess()
    decls = Parser(tokens).parse()
    sources = Sources()
    an = Analyzer(decls, sources)
    if "crm_status" not in an.enums:
        raise GenError(f"{UMBRELLA}: error: the crm_status enum is missing")
    for required in ("crm_last_error", "crm_version", "crm_version_number", "crm_free"):
        if required not in an.functions:
            raise GenError(f"{UMBRELLA}: error: function {required} is required by the bindings")
    constants = read_constants(sources)
    an.constants = {c["name"]: c["value"] for c in constants}
    ir: dict = {"ir_version": IR_VERSION, "generator": "bindings/gen.py",
                "constants": constants, "enums": [], "handles": [],
                "structs": [], "typedefs": [], "functions": []}
    headers = [UMBRELLA]
    for d in decls:
        if d.file not in headers:
            headers.append(d.file)
        if d.kind == "handle":
            ir["handles"].append(an.handle(d))
        elif d.kind == "enum":
            ir["enums"].append(an.enum(d))
        elif d.kind == "fnptr":
            ir["typedefs"].append(an.fnptr(d))
        elif d.kind == "struct":
            ir["structs"].append(an.struct(d))
        else:
            ir["functions"].append(an.function(d))
    ir["headers"] = headers
    by_name = {fn["name"]: fn for fn in ir["functions"]}
    for name, refs in an.status_refs.items():
        for ref in refs:
            for status in by_name[ref]["statuses"]:
                if status not in by_name[name]["statuses"]:
                    by_name[name]["statuses"].append(status)
    add_layouts(ir, decls, an.kinds)
    consts = {c["name"]: c["value"] for c in ir["constants"]}
    try:
        ir["version"] = {"major": consts["CRM_VERSION_MAJOR"], "minor": consts["CRM_VERSION_MINOR"],
                         "patch": consts["CRM_VERSION_PATCH"],
                         "number": consts["CRM_VERSION_NUMBER"],
                         "string": consts["CRM_VERSION_STRING"]}
    except KeyError as exc:
        raise GenError(f"include/crm/version.h: error: version macro {exc.args[0]} is missing") \
            from None
    v = ir["version"]
    if v["number"] != v["major"] * 10000 + v["minor"] * 100 + v["patch"] or \
            v["string"] != f"{v['major']}.{v['minor']}.{v['patch']}":
        raise GenError("include/crm/version.h: error: CRM_VERSION_NUMBER / CRM_VERSION_STRING "
                       "disagree with MAJOR.MINOR.PATCH")
    # A handle's free function is itself a function; every handle_out needs it.
    handles = {h["name"] for h in ir["handles"]}
    for fn in ir["functions"]:
        for p in fn["params"]:
            if p["role"] == "handle_out" and p["handle"] not in handles:
                raise GenError(f"{fn['header']}: error in the declaration of {fn['name']}: "
                               f"{p['handle']} is not an opaque handle")
    ir["_decls"] = decls  # for the clang cross-check; removed before writing
    return ir


# ---------------------------------------------------------------------------
# Struct layout (sizes, alignments and field offsets)
# ---------------------------------------------------------------------------

# The ABI the IR's sizes and offsets describe. Every struct of the house subset holds only
# fixed-width integers, double, size_t and pointers, so the layout is the same on every LP64
# ABI with natural alignment (x86-64 System V, AArch64); gen.py computes it from these rules
# and, on an x86-64 Linux host, checks it against a probe compiled with the C compiler.
LAYOUT_ABI = "x86_64-linux-gnu"
LP64_SCALARS = {"int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "int": 4, "int32_t": 4,
                "uint32_t": 4, "float": 4, "int64_t": 8, "uint64_t": 8, "size_t": 8,
                "double": 8, "char": 1}


def rule_layouts(decls: List[Decl], kinds: Dict[str, str]) -> Dict[str, dict]:
    """{struct: {"size", "align", "offsets": {field: offset}}} by the LP64 rules."""
    out: Dict[str, dict] = {}
    for d in decls:
        if d.kind != "struct":
            continue
        offset, align, offsets = 0, 1, {}
        for field, _file, _line in d.members:
            t = field.type
            if t.ptrs or t.func is not None or kinds.get(t.base) == "fnptr":
                size = 8
            elif kinds.get(t.base) == "enum":
                size = 4
            elif t.base in LP64_SCALARS:
                size = LP64_SCALARS[t.base]
            else:
                raise GenError(f"{d.where}: error in the declaration of {d.name}: no layout "
                               f"rule for field {field.name} of type {t.spell()}")
            offset = (offset + size - 1) // size * size
            offsets[field.name] = offset
            offset += size
            align = max(align, size)
        out[d.name] = {"size": (offset + align - 1) // align * align, "align": align,
                       "offsets": offsets}
    return out


def probe_layouts(decls: List[Decl]) -> Dict[str, dict]:
    """The same numbers from the C compiler: a probe program that includes the public
    headers only (no library), compiled with cc and run."""
    import tempfile
    lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "crm.h"', "",
             "int main(void)", "{"]
    for d in decls:
        if d.kind != "struct":
            continue
        lines.append(f'    printf("{d.name} %zu %zu\\n", sizeof({d.name}), _Alignof({d.name}));')
        for field, _file, _line in d.members:
            lines.append(f'    printf("{d.name}.{field.name} %zu\\n", '
                         f'offsetof({d.name}, {field.name}));')
    lines += ["    return 0;", "}", ""]
    with tempfile.TemporaryDirectory(prefix="crm-layout-") as tmp:
        src = Path(tmp) / "probe.c"
        exe = Path(tmp) / "probe"
        src.write_text("\n".join(lines), encoding="utf-8")
        run_tool(compiler() + ["-std=c11", f"-I{ROOT / INCLUDE_DIR}", str(src), "-o", str(exe)])
        text = run_tool([str(exe)])
    out: Dict[str, dict] = {}
    for line in text.splitlines():
        name, *nums = line.split()
        if "." in name:
            struct, field = name.split(".", 1)
            out[struct]["offsets"][field] = int(nums[0])
        else:
            out[name] = {"size": int(nums[0]), "align": int(nums[1]), "offsets": {}}
    return out


def add_layouts(ir: dict, decls: List[Decl], kinds: Dict[str, str]) -> None:
    """Record "size"/"align" on every struct and "offset" on every field (LAYOUT_ABI)."""
    layouts = rule_layouts(decls, kinds)
    machine = run_tool(compiler() + ["-dumpmachine"]).strip()
    if machine.startswith("x86_64") and "linux" in machine:
        probed = probe_layouts(decls)
        if probed != layouts:
            raise GenError(f"the struct layouts compiled by {compiler()[0]} ({machine}) differ "
                           f"from the LP64 rules of gen.py:\n  probe: {probed}\n  rules: "
                           f"{layouts}")
    else:
        warn(f"{machine} is not x86-64 Linux: the layouts of {LAYOUT_ABI} come from the LP64 "
             "rules of gen.py, not checked against the compiler")
    ir["abi"] = LAYOUT_ABI
    for s in ir["structs"]:
        lay = layouts[s["name"]]
        s["size"], s["align"] = lay["size"], lay["align"]
        for f in s["fields"]:
            f["offset"] = lay["offsets"][f["name"]]


# ---------------------------------------------------------------------------
# Cross-check with clang's AST
# ---------------------------------------------------------------------------

def clang_crosscheck(ir: dict) -> List[str]:
    """Differences between our parse and clang's, as messages (empty when they agree)."""
    clang = shutil.which("clang")
    if clang is None:
        print("gen.py: note: clang not found; skipping the signature cross-check",
              file=sys.stderr)
        return []
    # The headers skip <stddef.h>/<stdint.h> under CRM_BINDGEN, so name them here.
    cmd = [clang, "-Xclang", "-ast-dump=json", "-fsyntax-only", "-std=c11", "-DCRM_BINDGEN",
           "-include", "stddef.h", "-include", "stdint.h", f"-I{INCLUDE_DIR}", UMBRELLA]
    ast = json.loads(run_tool(cmd))
    c_funcs, c_typedefs, c_records, c_enums = {}, {}, {}, {}
    for node in ast.get("inner", []):
        name = node.get("name", "")
        if node.get("isImplicit") or not name.startswith("crm_"):
            continue
        kind = node.get("kind")
        inner = node.get("inner", [])
        if kind == "FunctionDecl":
            c_funcs[name] = (node["type"]["qualType"],
                             [p.get("name") for p in inner if p.get("kind") == "ParmVarDecl"])
        elif kind == "TypedefDecl":
            c_typedefs[name] = node["type"]["qualType"]
        elif kind == "RecordDecl" and node.get("completeDefinition"):
            c_records[name] = [(f.get("name"), f["type"]["qualType"]) for f in inner
                               if f.get("kind") == "FieldDecl"]
        elif kind == "EnumDecl":
            members = []
            for c in inner:
                if c.get("kind") != "EnumConstantDecl":
                    continue
                value = None
                for e in c.get("inner", []):
                    if "value" in e:
                        value = int(e["value"])
                members.append((c["name"], value))
            c_enums[name] = members
    problems = []
    ours = {f["name"]: f for f in ir["functions"]}
    for name in sorted(set(ours) | set(c_funcs)):
        if name not in c_funcs:
            problems.append(f"{name}: parsed here but clang sees no such function")
            continue
        if name not in ours:
            problems.append(f"{name}: clang sees this function but the parser missed it")
            continue
        ctype, cnames = c_funcs[name]
        if ctype != ours[name]["type"]:
            problems.append(f"{name}: signature '{ours[name]['type']}' differs from clang's "
                            f"'{ctype}'")
        names = [p["name"] for p in ours[name]["params"]]
        if cnames != names:
            problems.append(f"{name}: parameter names {names} differ from clang's {cnames}")
    expected_typedefs = {}
    for h in ir["handles"]:
        expected_typedefs[h["name"]] = f"struct {h['name']}"
    for s in ir["structs"]:
        expected_typedefs[s["name"]] = f"struct {s['name']}"
    for e in ir["enums"]:
        expected_typedefs[e["name"]] = f"enum {e['name']}"
    for t in ir["typedefs"]:
        expected_typedefs[t["name"]] = t["type"]
    for name in sorted(set(expected_typedefs) | set(c_typedefs)):
        if expected_typedefs.get(name) != c_typedefs.get(name):
            problems.append(f"typedef {name}: '{expected_typedefs.get(name)}' here, "
                            f"'{c_typedefs.get(name)}' in clang")
    for s in ir["structs"]:
        mine = [(f["name"], f["type"]) for f in s["fields"]]
        if c_records.get(s["name"]) != mine:
            problems.append(f"struct {s['name']}: fields {mine} differ from clang's "
                            f"{c_records.get(s['name'])}")
    for e in ir["enums"]:
        mine = [(m["name"], m["value"]) for m in e["members"]]
        if c_enums.get(e["name"]) != mine:
            problems.append(f"enum {e['name']}: members {mine} differ from clang's "
                            f"{c_enums.get(e['name'])}")
    return problems


# ---------------------------------------------------------------------------
# Emitters
# ---------------------------------------------------------------------------

def emit_ir(ir: dict) -> str:
    public = {k: v for k, v in ir.items() if not k.startswith("_")}
    return json.dumps(public, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def emit_symbols(ir: dict) -> str:
    return "".join(f"{name}\n" for name in sorted(f["name"] for f in ir["functions"]))


class PyTypes:
    """C types of the IR as ctypes expressions."""

    def __init__(self, ir: dict):
        self.kinds = {}
        for h in ir["handles"]:
            self.kinds[h["name"]] = "handle"
        for s in ir["structs"]:
            self.kinds[s["name"]] = "struct"
        for e in ir["enums"]:
            self.kinds[e["name"]] = "enum"
        for t in ir["typedefs"]:
            self.kinds[t["name"]] = "fnptr"

    def expr(self, t: CType) -> str:
        if t.func is not None:
            parts = [self.expr(t.func.ret)] + [self.expr(p.type) for p in t.func.params]
            return f"CFUNCTYPE({', '.join(parts)})"
        kind = self.kinds.get(t.base, "builtin")
        if not t.ptrs:
            if kind == "enum":
                return "c_int"
            if kind in ("handle", "struct", "fnptr"):
                return t.base
            return BUILTIN_TYPES[t.base]
        if t.base == "char":
            inner = "c_char_p" if t.const else "POINTER(c_char)"
        elif t.base == "void":
            inner = "c_void_p"
        else:
            inner = f"POINTER({self.expr(CType(t.base))})"
        for _ in t.ptrs[1:]:
            inner = f"POINTER({inner})"
        return inner


def integer_types(ir: dict) -> Dict[str, dict]:
    """Every "integer" entry of the IR (parameters, returns, fields, array elements) by C type."""
    found: Dict[str, dict] = {}

    def visit(entry: dict) -> None:
        for key in ("integer", "element"):
            if key in entry:
                found[entry[key]["c_type"]] = entry[key]

    for fn in ir["functions"]:
        visit(fn["returns"])
        for p in fn["params"]:
            visit(p)
    for s in ir["structs"]:
        for f in s["fields"]:
            visit(f)
    return found


def param_checks(fn: dict) -> List[Tuple[int, str, str]]:
    """(index, name, kind) of the input arguments the Python layer checks before the call:
    integers (kind = their C type), NUL-terminated strings and arrays of them."""
    checks = []
    for index, p in enumerate(fn["params"]):
        if p["direction"] != "in":
            continue
        if "integer" in p:
            checks.append((index, p["name"], p["integer"]["c_type"]))
        elif p.get("nul_terminated") and p["role"] in ("string", "string_array"):
            checks.append((index, p["name"], p["role"]))
        elif "element" in p and p["role"] == "array":
            checks.append((index, p["name"], p["element"]["c_type"] + "[]"))
    return checks


def wrap_items(head: str, items: List[str], tail: str, width: int = 99) -> List[str]:
    """`head item, item, ...tail`, wrapped at `width` with the continuation lines under the
    first item."""
    lines, line = [], head
    for k, item in enumerate(items):
        piece = item + (", " if k + 1 < len(items) else "")
        if len(line) + len(piece.rstrip()) + (len(tail) if k + 1 == len(items) else 0) > width \
                and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece
    if tail == ")" and len(items) == 1:
        line += ","  # a one-element tuple
    lines.append(line + tail)
    return lines


def py_string(text: str, indent: str = "") -> str:
    """A triple-quoted Python string literal holding `text`."""
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body += " "
    lines = body.split("\n")
    if len(lines) == 1:
        return f'"""{body}"""'
    return '"""' + lines[0] + "\n" + "\n".join(
        (indent + ln) if ln else "" for ln in lines[1:]) + "\n" + indent + '"""'


def docstring(text: str) -> str:
    """Doc text for Python: without lines that hold only a machine-readable tag."""
    lines = [ln for ln in text.split("\n") if not re.fullmatch(r"\s*@type\[\w+\]\s+\w+\s*", ln)]
    return "\n".join(lines).strip("\n")


def comment_lines(text: str, indent: str, width: int = 96) -> List[str]:
    text = " ".join(text.split())
    if not text:
        return []
    return [f"{indent}# {ln}" for ln in textwrap.wrap(text, width - len(indent) - 2)]


PY_PRELUDE = '''\
# This file is generated by bindings/gen.py from the libcrm public headers.
# DO NOT EDIT: change the headers, then run `python3 bindings/gen.py`
# (`python3 bindings/gen.py --check` fails when this file is out of date).
"""Low-level ctypes binding of libcrm, generated from the public headers.

Every function of the C API is available under its C name with complete
``argtypes`` and ``restype``. Functions returning ``crm_status`` raise a
:class:`libcrm.Error` subclass carrying the library's message (copied from
``crm_last_error()`` at once) instead of returning an error code.

* enums are ``enum.IntEnum`` classes, and their members are also module
  constants; literal ``CRM_*`` macros are module constants too;
* opaque handles are empty ``ctypes.Structure`` classes, used through
  ``POINTER(crm_x)``; owning and freeing them is the job of the Pythonic
  layer (:class:`libcrm.Dataset`), which uses ``weakref.finalize``;
* options structs are ``ctypes.Structure`` subclasses, and
  ``crm_x_options.defaults()`` returns one initialised by the library's
  ``crm_x_options_init(&o, sizeof o)``;
* function-pointer typedefs are ``ctypes.CFUNCTYPE`` types; keep the Python
  callback object alive for as long as the library may call it;
* nothing is wrapped or truncated on the way to C: every integer argument and
  every integer field of a struct is checked against its C type (the
  ``"integer"`` entries of crm-api.json) by :func:`check_int`, and every
  NUL-terminated string (``"nul_terminated": true``) by :func:`check_string`,
  before C sees it. An integer outside the type's range raises
  ``OverflowError`` (also a negative value for ``size_t`` or ``uint64_t``);
  anything that is not an integer raises ``TypeError``: ``float`` (NaN and
  infinities included), ``str``, and ``bool`` too (True is not a count, a seed
  or a size; the Pythonic classes turn True/False into 1/0 for the fields they
  document as flags); numpy integers are accepted when in range. A string or
  bytes value holding a NUL character raises ``ValueError`` (C would stop
  reading at it). ``str`` arguments are encoded as UTF-8. ctypes objects
  (``c_int32(...)``, ``c_char_p(...)``, arrays, pointers) are passed as they
  are; ``FUNCTION.raw`` is the unchecked ctypes function.

The shared library is looked up in this order: the ``LIBCRM_PATH``
environment variable (the library file, or a directory holding it), the
library that ``cmake --install`` installed with this package (its path is
recorded in ``libcrm/_libpath.py``), a ``libcrm.so.MAJOR`` next to this
package, then the system loader. A library
whose major version differs from the headers', or that is older than them, is
refused with ImportError.
"""

import ctypes
import ctypes.util
import enum
import operator
import os
import sys
@CTYPES_IMPORT@

from . import errors as _errors
'''

PY_CHECKS = '''
# ---------------------------------------------------------------------------
# Argument checks (crm-api.json: "integer" and "nul_terminated" entries)
# ---------------------------------------------------------------------------

class IntegerType:
    """A C integer type of the API: its name, signedness, width, range and ctypes type."""

    def __init__(self, name, signed, bits, ctype):
        self.name = name
        self.signed = signed
        self.bits = bits
        self.ctype = ctype
        self.min = -(1 << (bits - 1)) if signed else 0
        self.max = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def __repr__(self):
        return "IntegerType(%r, signed=%r, bits=%d)" % (self.name, self.signed, self.bits)


def _is_bool(value):
    if isinstance(value, bool):
        return True
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.bool_)


def check_int(value, c_type, what):
    """`value` as a Python int that the C integer type `c_type` holds exactly.

    `c_type` names an entry of INTEGER_TYPES (e.g. "int32_t", "size_t" or an
    enum); `what` names the argument in the messages. Accepts int, enum
    members and integers with ``__index__`` (numpy integers). Raises TypeError
    for bool (Python's and numpy's), float (NaN and infinities included), str
    and anything else, and OverflowError outside the range of `c_type`
    (negative values for the unsigned size_t and uint64_t included).
    """
    t = INTEGER_TYPES[c_type]
    if type(value) is not int:
        if _is_bool(value):
            raise TypeError("%s must be an integer (%s), not bool" % (what, t.name))
        try:
            value = operator.index(value)
        except TypeError:
            raise TypeError("%s must be an integer (%s), not %s"
                            % (what, t.name, type(value).__name__)) from None
    if not t.min <= value <= t.max:
        raise OverflowError("%s = %d is out of range for %s (%d to %d)"
                            % (what, value, t.name, t.min, t.max))
    return value


def check_string(value, what):
    """`value` (str, encoded as UTF-8, or bytes) as bytes without a NUL character.

    C reads a string up to its first NUL, so a NUL inside it would silently cut
    it: that raises ValueError. None stays None (NULL); other types raise
    TypeError.
    """
    if value is None:
        return None
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        raise TypeError("%s must be a str or bytes, not %s" % (what, type(value).__name__))
    at = data.find(b"\\0")
    if at >= 0:
        raise ValueError("%s contains a NUL character (at byte %d): %r" % (what, at, value))
    return data


def integer_array(values, c_type, what):
    """A ctypes array of the C integer type `c_type` holding `values` after check_int."""
    if isinstance(values, (str, bytes, bytearray)):
        raise TypeError("%s must be a list of integers, not a single %s"
                        % (what, type(values).__name__))
    items = [check_int(v, c_type, "%s[%d]" % (what, k)) for k, v in enumerate(values)]
    return (INTEGER_TYPES[c_type].ctype * len(items))(*items)


def string_array(values, what):
    """A ``c_char_p`` array of `values` (each str, bytes or None) after check_string."""
    if isinstance(values, (str, bytes, bytearray)):
        raise TypeError("%s must be a list of strings, not a single %s"
                        % (what, type(values).__name__))
    items = [check_string(v, "%s[%d]" % (what, k)) for k, v in enumerate(values)]
    return (c_char_p * len(items))(*items)


def _arg_int(value, c_type, what):
    if isinstance(value, ctypes._SimpleCData):
        return value  # already a C value of a fixed type; ctypes checks that type
    return check_int(value, c_type, what)


def _arg_string(value, kind, what):
    if value is None or isinstance(value, (str, bytes, bytearray)):
        return check_string(value, what)
    return value  # a ctypes object (c_char_p, array, pointer): passed as it is


def _arg_string_array(value, kind, what):
    if isinstance(value, (list, tuple, str, bytes, bytearray)):
        return string_array(value, what)
    return value


def _arg_int_array(value, kind, what):
    if isinstance(value, (list, tuple, str, bytes, bytearray)):
        return integer_array(value, kind[:-2], what)
    return value  # a ctypes array or pointer: passed as it is


_ARG_CHECKS = {"string": _arg_string, "string_array": _arg_string_array}


class _Struct(Structure):
    """Base of the API structs: assigning an integer field checks the value against
    the field's C type (check_int) and assigning str or bytes to a string field
    checks it for NUL (check_string), so nothing is wrapped or cut."""

    #: Integer fields and their C types (see INTEGER_TYPES).
    _integers_ = {}
    #: NUL-terminated string fields (const char *).
    _strings_ = ()
    #: Fields holding arrays of NUL-terminated strings (const char *const *).
    _string_arrays_ = ()
    #: Fields holding arrays of integers and the C type of the integers.
    _integer_arrays_ = {}

    def __setattr__(self, name, value):
        c_type = self._integers_.get(name)
        if c_type is not None:
            value = _arg_int(value, c_type, "%s.%s" % (type(self).__name__, name))
        elif name in self._strings_ and isinstance(value, (str, bytes, bytearray)):
            value = check_string(value, "%s.%s" % (type(self).__name__, name))
        super().__setattr__(name, value)


def _int_range(kind):
    """(min, max) of an integer kind for _CheckedFunction's fast path; (1, 0), an
    empty range, for the other kinds (always checked)."""
    t = INTEGER_TYPES.get(kind)
    return (t.min, t.max) if t is not None else (1, 0)


class _CheckedFunction:
    """An API function whose integer and string arguments are checked before the
    call (see check_int and check_string); ``raw`` is the ctypes function."""

    def __init__(self, func, checks):
        self.raw = func
        self.__name__ = func.__name__
        self.__doc__ = func.__doc__
        self._nargs = len(func.argtypes)
        self._checks = tuple(
            (index, _ARG_CHECKS.get(kind, _arg_int_array if kind.endswith("[]") else _arg_int),
             kind, "%s(%s)" % (func.__name__, name)) + _int_range(kind)
            for index, name, kind in checks)

    argtypes = property(lambda self: self.raw.argtypes)
    restype = property(lambda self: self.raw.restype)
    errcheck = property(lambda self: self.raw.errcheck)

    def __call__(self, *args):
        if len(args) == self._nargs:  # else ctypes reports the wrong count
            for index, check, kind, what, low, high in self._checks:
                value = args[index]
                if type(value) is not int or not low <= value <= high:
                    break
            else:  # only in-range ints to check: they pass as they are
                return self.raw(*args)
            args = list(args)
            for index, check, kind, what, low, high in self._checks:
                args[index] = check(args[index], kind, what)
        return self.raw(*args)

    def __repr__(self):
        return "<checked libcrm function %s>" % self.__name__
'''

PY_LOADER = '''
# ---------------------------------------------------------------------------
# Loading the shared library
# ---------------------------------------------------------------------------

def _library_names():
    """File names of the shared library for this platform, most specific first."""
    if sys.platform == "darwin":
        return ["libcrm.%d.dylib" % CRM_VERSION_MAJOR, "libcrm.dylib"]
    if sys.platform == "win32":
        return ["crm.dll", "libcrm.dll"]
    return ["libcrm.so.%d" % CRM_VERSION_MAJOR]


def _load():
    """Load libcrm; return (CDLL, the path or name it was loaded from)."""
    names = _library_names()
    env = os.environ.get("LIBCRM_PATH")
    if env:
        path = os.path.join(env, names[0]) if os.path.isdir(env) else env
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            raise ImportError("cannot load libcrm from LIBCRM_PATH=%r: %s" % (env, exc)) from exc
    try:
        from ._libpath import LIBRARY_PATH as installed  # written by `cmake --install`
    except ImportError:
        installed = None
    if installed and os.path.exists(installed):
        try:
            return ctypes.CDLL(installed), installed
        except OSError as exc:
            raise ImportError("cannot load %s (installed with this package): %s"
                              % (installed, exc)) from exc
    here = os.path.dirname(os.path.abspath(__file__))
    for folder in (here, os.path.dirname(here)):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.exists(path):
                try:
                    return ctypes.CDLL(path), path
                except OSError as exc:
                    raise ImportError("cannot load %s: %s" % (path, exc)) from exc
    failures = []
    for name in names:
        try:
            return ctypes.CDLL(name), name
        except OSError as exc:
            failures.append(str(exc))
    found = ctypes.util.find_library("crm")
    if found:
        try:
            return ctypes.CDLL(found), found
        except OSError as exc:
            failures.append(str(exc))
    raise ImportError(
        "libcrm shared library not found: set LIBCRM_PATH to the library file, put %s next "
        "to the libcrm package, or install it where the system loader finds it (%s)"
        % (names[0], "; ".join(failures)))


_dll, LIBRARY_PATH = _load()

#: Names of API functions the loaded library does not export (normally empty).
MISSING_FUNCTIONS = []


class _MissingFunction:
    """Stands in for a function the loaded library does not export."""

    def __init__(self, name):
        self.__name__ = name
        self.argtypes = None
        self.restype = None
        self.errcheck = None

    def __call__(self, *args):
        raise NotImplementedError("%s is not exported by the libcrm loaded from %s"
                                  % (self.__name__, LIBRARY_PATH))

    def __repr__(self):
        return "<missing libcrm function %s>" % self.__name__


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def _raise_status(rc):
    """Raise the libcrm.Error subclass for status `rc` with the thread's message."""
    message = crm_last_error()  # copy at once: the next libcrm call may replace it
    message = message.decode("utf-8", "backslashreplace") if message else ""
    try:
        status = crm_status(rc)
        name = status.name
    except ValueError:
        status, name = rc, "CRM_E_UNKNOWN"
    raise _errors.from_status(status, name, message)


def _check(rc):
    """Raise the libcrm.Error subclass matching status `rc` unless it is CRM_OK."""
    if rc != CRM_OK:
        _raise_status(rc)


def _errcheck_status(result, func, args):
    if result != CRM_OK:
        _raise_status(result)
    return result


def _bind(name, restype, argtypes, status=False, doc=None, checks=()):
    """Prototype one exported function (or a stand-in when it is missing); with
    `checks` ((index, name, kind) of the arguments to check), a _CheckedFunction."""
    try:
        func = _dll[name]
    except AttributeError:
        func = _MissingFunction(name)
        MISSING_FUNCTIONS.append(name)
    func.restype = restype
    func.argtypes = argtypes
    if status:
        func.errcheck = _errcheck_status
    func.__doc__ = doc
    return _CheckedFunction(func, checks) if checks else func
'''

PY_VERSION_CHECK = '''

# ---------------------------------------------------------------------------
# Version check (the headers this module came from vs. the loaded library)
# ---------------------------------------------------------------------------

def _check_version():
    try:
        number = int(crm_version_number())
    except NotImplementedError:
        raise ImportError("%s is not a usable libcrm (crm_version_number is missing)"
                          % LIBRARY_PATH) from None
    if number // 10000 != CRM_VERSION_MAJOR or number < CRM_VERSION_NUMBER:
        found = crm_version()
        raise ImportError(
            "libcrm %s loaded from %s cannot be used: this binding was generated from the "
            "libcrm %s headers and needs version %d.x, %s or newer"
            % (found.decode() if found else number, LIBRARY_PATH, CRM_VERSION_STRING,
               CRM_VERSION_MAJOR, CRM_VERSION_STRING))
    return number


#: crm_version_number() of the loaded library.
LIBRARY_VERSION_NUMBER = _check_version()
'''


CTYPES_NAMES = ["CFUNCTYPE", "POINTER", "Structure", "byref", "sizeof"] + sorted(
    set(BUILTIN_TYPES.values()) - {"None"} | {"c_char_p", "c_void_p"})


def ctypes_import(text: str) -> str:
    """`from ctypes import ...` naming exactly the ctypes names the module uses."""
    used = [n for n in CTYPES_NAMES if re.search(r"\b" + n + r"\b", text)]
    lines, line = [], "from ctypes import ("
    for k, name in enumerate(used):
        piece = name + (", " if k + 1 < len(used) else ")")
        if len(line) + len(piece.rstrip()) > 99:
            lines.append(line.rstrip())
            line = " " * len("from ctypes import (")
        line += piece
    lines.append(line)
    return "\n".join(lines)


def emit_python(ir: dict) -> str:
    decls = {d.name: d for d in ir["_decls"]}
    types = PyTypes(ir)
    out: List[str] = [PY_PRELUDE]

    out.append("\n# " + "-" * 75 + "\n# Constants (literal CRM_* macros)\n# " + "-" * 75 + "\n")
    for c in ir["constants"]:
        out.extend(comment_lines(c["doc"]["text"], ""))
        out.append(f"{c['name']} = {c['value']!r}")
    out.append("")

    out.append("\n# " + "-" * 75 + "\n# Enums\n# " + "-" * 75)
    for e in ir["enums"]:
        base = "enum.IntFlag" if e["flags"] else "enum.IntEnum"
        out.append(f"\n\nclass {e['name']}({base}):")
        if docstring(e["doc"]["text"]):
            out.append(f"    {py_string(docstring(e['doc']['text']), '    ')}")
            out.append("")
        for m in e["members"]:
            out.extend(comment_lines(m["doc"], "    "))
            out.append(f"    {m['name']} = {m['value']}")
        out.append("")
        out.append("")
        for m in e["members"]:
            out.append(f"{m['name']} = {e['name']}.{m['name']}")
    out.append("")

    out.append(PY_CHECKS)
    out.append("")
    out.append("#: The C integer types of the API (crm-api.json \"integer\" entries) by name;")
    out.append("#: size_t has this platform's width.")
    out.append("INTEGER_TYPES = {")
    for name, integer in sorted(integer_types(ir).items()):
        bits = integer["bits"]
        width = str(bits) if bits is not None else f"8 * sizeof({BUILTIN_TYPES[name]})"
        ctype = "c_int" if name not in BUILTIN_TYPES else BUILTIN_TYPES[name]
        out.append(f"    {name!r}: IntegerType({name!r}, {integer['signed']!r}, {width}, "
                   f"{ctype}),")
    out.append("}")
    out.append("")

    out.append("\n# " + "-" * 75 + "\n# Opaque handles (use POINTER(handle))\n# " + "-" * 75)
    for h in ir["handles"]:
        doc = docstring(h["doc"]["text"]) or f"Opaque libcrm handle {h['name']}."
        doc += f"\n\nOpaque: use POINTER({h['name']}); free with {h['free']}()."
        out.append(f"\n\nclass {h['name']}(Structure):")
        out.append(f"    {py_string(doc, '    ')}")
    out.append("")

    out.append("\n# " + "-" * 75 + "\n# Function-pointer typedefs\n# " + "-" * 75 + "\n")
    for t in ir["typedefs"]:
        out.append(f"#: {t['declaration']}")
        out.extend(comment_lines(t["doc"]["summary"], ""))
        out.append(f"{t['name']} = {types.expr(CType(func=decls[t['name']].sig))}")
    out.append("")

    out.append("\n# " + "-" * 75 + "\n# Structs\n# " + "-" * 75)
    for s in ir["structs"]:
        decl = decls[s["name"]]
        out.append(f"\n\nclass {s['name']}(_Struct):")
        if docstring(s["doc"]["text"]):
            out.append(f"    {py_string(docstring(s['doc']['text']), '    ')}")
            out.append("")
        out.append("    _fields_ = [")
        for (field, _file, _line), f in zip(decl.members, s["fields"]):
            out.extend(comment_lines(f["doc"], "        "))
            out.append(f"        ({field.name!r}, {types.expr(field.type)}),")
        out.append("    ]")
        lengths = {f["name"]: f["length"] for f in s["fields"] if f.get("length")}
        enums = {f["name"]: f["enum"] for f in s["fields"] if f.get("enum")}
        out.append("    #: Pointer fields and the field that holds their number of elements.")
        out.append("    _lengths_ = {" + ", ".join(f"{k!r}: {v!r}" for k, v in lengths.items())
                   + "}")
        out.append("    #: Integer fields holding a value of an enum (@type[enum] tags).")
        out.append("    _enums_ = {" + ", ".join(f"{k!r}: {v}" for k, v in enums.items()) + "}")
        integers = [(f["name"], f["integer"]["c_type"]) for f in s["fields"] if "integer" in f]
        out.append("    #: Integer fields and their C types (checked on assignment).")
        out.extend(wrap_items("    _integers_ = {", [f"{k!r}: {v!r}" for k, v in integers], "}"))
        strings = [f["name"] for f in s["fields"]
                   if f.get("nul_terminated") and f["role"] == "string"]
        arrays = [f["name"] for f in s["fields"]
                  if f.get("nul_terminated") and f["role"] == "string_array"]
        out.append("    #: NUL-terminated string fields (checked on assignment).")
        out.extend(wrap_items("    _strings_ = (", [repr(n) for n in strings], ")"))
        out.append("    #: Fields holding arrays of NUL-terminated strings.")
        out.extend(wrap_items("    _string_arrays_ = (", [repr(n) for n in arrays], ")"))
        elements = [(f["name"], f["element"]["c_type"]) for f in s["fields"] if "element" in f]
        out.append("    #: Fields holding arrays of integers and the C type of the integers.")
        out.extend(wrap_items("    _integer_arrays_ = {", [f"{k!r}: {v!r}" for k, v in elements],
                              "}"))
        if s.get("init"):
            out.append("")
            out.append("    @classmethod")
            out.append("    def defaults(cls):")
            out.append(f'        """A new {s["name"]} holding the library defaults.')
            out.append("")
            out.append(f'        Calls {s["init"]}(&o, sizeof o) with the size of this class."""')
            out.append("        opts = cls()")
            out.append(f"        {s['init']}(byref(opts), sizeof(opts))")
            out.append("        return opts")
    out.append("")

    out.append(PY_LOADER)

    out.append("\n# " + "-" * 75 + "\n# Functions (header order)\n# " + "-" * 75)
    for fn in ir["functions"]:
        decl = decls[fn["name"]]
        status = fn["returns"]["role"] == "status"
        out.append("")
        out.append(f"#: {fn['prototype']}")
        args = []
        for p, entry in zip(decl.sig.params, fn["params"]):
            note = f"{entry['name']}: {entry['direction']}, {entry['role']}"
            if entry.get("length"):
                note += f" (length {entry['length']})"
            if entry.get("length_of"):
                note += f" (of {entry['length_of']})"
            if entry.get("free"):
                note += f" (free with {entry['free']})"
            args.append(f"        {types.expr(p.type)},  # {note}")
        restype = types.expr(decl.sig.ret)
        text = docstring(fn["doc"]["text"])
        doc = fn["prototype"] + ("\n\n" + text if text else "")
        out.append(f"{fn['name']} = _bind(")
        out.append(f"    {fn['name']!r},")
        out.append(f"    {restype},  # returns {fn['returns']['role']}")
        if args:
            out.append("    [")
            out.extend(args)
            out.append("    ],")
        else:
            out.append("    [],")
        if status:
            out.append("    status=True,")
        out.append(f"    doc={py_string(doc, '    ')},")
        checks = param_checks(fn)
        if checks:
            out.append("    checks=[")
            for check in checks:
                out.append(f"        {check!r},")
            out.append("    ],")
        out.append(")")
    out.append("")
    out.append("#: Every API function, in header order.")
    out.append("FUNCTIONS = (")
    for fn in ir["functions"]:
        out.append(f"    {fn['name']!r},")
    out.append(")")
    out.append(PY_VERSION_CHECK)
    text = "\n".join(out)
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    text = text.replace("@CTYPES_IMPORT@", ctypes_import(text))
    return text.rstrip("\n") + "\n"


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def generate(use_clang: bool = True) -> Dict[str, str]:
    ir = build_ir()
    if use_clang:
        problems = clang_crosscheck(ir)
        if problems:
            raise GenError("the parsed declarations differ from clang's AST:\n  "
                           + "\n  ".join(problems))
    outputs = {
        OUT_IR: emit_ir(ir),
        OUT_PY: emit_python(ir),
        OUT_SYMBOLS: emit_symbols(ir),
    }
    outputs.update(language_outputs(json.loads(outputs[OUT_IR])))
    return outputs


GENERATED_MARK = re.compile(r"generated by bindings/gen\.py", re.IGNORECASE)


def orphaned_files(outputs: Dict[str, str], root: Path = ROOT) -> List[str]:
    """Files under bindings/<lang>/ whose first lines say they are generated by
    gen.py but that no emitter writes any more (a removed struct's class, say):
    --check reports them, a run removes them. Installed dependencies
    (node_modules) are not looked at."""
    found = []
    for lang_dir in sorted(p for p in (root / "bindings").iterdir() if p.is_dir()):
        for path in sorted(lang_dir.rglob("*")):
            if not path.is_file() or "node_modules" in path.parts or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(root).as_posix()
            if rel in outputs:
                continue
            try:
                with open(path, "rb") as f:
                    head = f.read(512).decode("utf-8", "replace")
            except OSError:
                continue
            if GENERATED_MARK.search(head):
                found.append(rel)
    return found


def language_outputs(ir: dict) -> Dict[str, str]:
    """Files of the other language bindings, from their emitters.

    Each `bindings/<lang>/emit.py` defines `emit(ir) -> {relative path: text}`
    and receives the IR exactly as written to crm-api.json, so a binding can
    be generated from that file alone. Paths must lie under `bindings/<lang>/`.
    """
    import importlib.util
    out: Dict[str, str] = {}
    sys.dont_write_bytecode = True  # no __pycache__ beside the emitters
    for emitter in sorted((ROOT / "bindings").glob("*/emit.py")):
        lang = emitter.parent.name
        spec = importlib.util.spec_from_file_location(f"crm_emit_{lang}", emitter)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for rel, text in mod.emit(ir).items():
            if not rel.startswith(f"bindings/{lang}/") or ".." in rel.split("/"):
                raise GenError(f"{emitter.relative_to(ROOT)}: emits {rel}, "
                               f"outside bindings/{lang}/")
            out[rel] = text
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate bindings/crm-api.json, the Python ctypes layer and "
                    "lib/libcrm.symbols from the libcrm public headers.")
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and exit 1 with a unified diff when a "
                         "committed file differs (nothing is written)")
    ap.add_argument("--no-clang", action="store_true",
                    help="skip the cross-check of signatures against clang's AST")
    args = ap.parse_args(argv)
    try:
        outputs = generate(use_clang=not args.no_clang)
    except GenError as exc:
        print(f"gen.py: {exc}", file=sys.stderr)
        return 2
    orphans = orphaned_files(outputs)
    if args.check:
        stale = []
        for rel in orphans:
            stale.append(rel)
            print(f"gen.py: {rel} says it is generated, but nothing generates it any more "
                  "(remove it)")
        for rel, text in outputs.items():
            path = ROOT / rel
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                stale.append(rel)
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(keepends=True), text.splitlines(keepends=True),
                    fromfile=f"a/{rel}", tofile=f"b/{rel}"))
        if stale:
            print(f"gen.py: out of date: {', '.join(stale)}; run `python3 bindings/gen.py` "
                  "and commit the result", file=sys.stderr)
            return 1
        return 0
    for rel in orphans:
        (ROOT / rel).unlink()
        print(f"gen.py: removed {rel} (no longer generated)")
    for rel, text in outputs.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != text.encode("utf-8"):
            path.write_bytes(text.encode("utf-8"))
            print(f"gen.py: wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
