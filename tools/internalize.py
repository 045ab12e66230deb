#!/usr/bin/env python3
"""Moves the kernel's implementation classes under io.mlobj.internal.. (issue 14, item 1).

Deterministic and re-runnable: run it from the repository root on any tree (e.g. main after more
branches merged). Every class of a package listed in RULES moves to the rule's internal package
unless the rule keeps it public; classes added later to those packages move too. It then rewrites
package lines, imports, fully qualified names (Java sources and resources such as META-INF/services
files, in every module, tests included), adds the imports that same-package references now need
and makes moved classes and their package-level members public (classes and tests left in the old
package may use them). Tests do not move. A second run finds nothing to move and changes nothing.

Usage: tools/internalize.py [--dry-run]
"""
import os
import re
import subprocess
import sys

ROOT = "io.mlobj"
INTERNAL = ROOT + ".internal"

# package -> the public classes that stay (API and SPI); every other class moves to
# io.mlobj.internal.<rest of the package>. Sub-packages of a listed package move as a whole.
RULES = {
    "io.mlobj.arrow": {
        "BatchReader",  # what scans return
        "FixedShapeTensorType",  # tensor columns
        "FixedShapeTensorVector",
        "ShardEncoder",  # ShardCodec SPI
        "SchemaCodec",  # engines ship schemas to workers
    },
    "io.mlobj.store": {
        "ObjectStore",  # storage SPI
        "ObjectStores",
        "ObjectInfo",
        "ObjectStoreException",
        "ObjectNotFoundException",
        "PreconditionFailedException",
    },
    "io.mlobj.commit": {
        "CommitConflictException",
        "CommitFailedException",
        "CommitStateUnknownException",
    },
    "io.mlobj.format": set(),
    "io.mlobj.registry": {
        "AliasEntry",
        "Checkpoint",
        "CheckpointRegistry",
        "LineageNode",
        "LineageWalker",
        "QueryHit",
        "QueryResult",
        "RegistryQuery",
    },
}

SRC_ROOTS = ("src/main/java", "src/test/java")
TEXT_SUFFIXES = (".java",)
RESOURCE_DIRS = ("src/main/resources", "src/test/resources")


def git_files():
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    return sorted(f for f in out if f and os.path.exists(f))


def split_source(path):
    """(module, source root, package, class) of a Java file, or None."""
    for src in SRC_ROOTS:
        marker = "/" + src + "/"
        if marker in path and path.endswith(".java"):
            module, rest = path.split(marker, 1)
            parts = rest[: -len(".java")].split("/")
            return module, src, ".".join(parts[:-1]), parts[-1]
    return None


def target_package(package):
    """The internal package a class of `package` moves to, or None when the package stays."""
    for source in sorted(RULES, key=len, reverse=True):
        if package == source or package.startswith(source + "."):
            return INTERNAL + package[len(ROOT):]
    return None


def moves(files):
    """Old FQN -> new FQN and old path -> new path of every class that moves."""
    fqn, paths = {}, {}
    for f in files:
        s = split_source(f)
        if not s:
            continue
        module, src, package, name = s
        target = target_package(package)
        if target is None:
            continue
        # Tests stay where they are: in the old package they keep access to package-level
        # members of the public classes there, and moved classes are public (see widen).
        if src != "src/main/java" or name in RULES.get(package, set()):
            continue
        fqn[package + "." + name] = target + "." + name
        paths[f] = "/".join([module, src, *target.split("."), name + ".java"])
    return fqn, paths


def rewrite(text, fqn_moves, old_package, new_package, same_package_moves):
    for old in sorted(fqn_moves, key=len, reverse=True):
        text = re.sub(r"\b" + re.escape(old) + r"\b", fqn_moves[old], text)
    if new_package is not None and old_package != new_package:
        text = re.sub(
            r"^package\s+" + re.escape(old_package) + r"\s*;",
            "package " + new_package + ";",
            text,
            count=1,
            flags=re.M,
        )
    # Classes of the old package that now live elsewhere need an import where they are named.
    package = new_package or old_package
    needed = []
    for name, where in sorted(same_package_moves.items()):
        if where == package or name == current_class[0]:
            continue
        if re.search(r"\b" + re.escape(name) + r"\b", strip_imports(text)) and not re.search(
            r"^import\s+" + re.escape(where + "." + name) + r"\s*;", text, flags=re.M
        ):
            needed.append("import " + where + "." + name + ";")
    if needed:
        m = re.search(r"^package\s+[\w.]+\s*;\n", text, flags=re.M)
        text = text[: m.end()] + "\n" + "\n".join(needed) + "\n" + text[m.end():]
    return text


MODIFIERS = ("public ", "private ", "protected ")
NOT_DECLARATIONS = re.compile(
    r"^  (@|//|/\*|\*|\}|\)|return\b|throw\b|if\b|for\b|while\b|switch\b|case\b|default\b|"
    r"try\b|catch\b|else\b|[A-Z0-9_]+\s*[,(;]|[A-Z0-9_]+$)"
)


def widen(text):
    """Makes a moved class and its package-level members public: classes that stayed in the old
    package may use them. Relies on google-java-format's layout (members at two spaces)."""
    lines = text.split("\n")
    top_is_interface = False
    for i, line in enumerate(lines):
        m = re.match(r"^((?:final |abstract |sealed |non-sealed |static )*)(class|interface|enum|record) ", line)
        if m:
            top_is_interface = m.group(2) == "interface"
            lines[i] = "public " + line
            continue
        if top_is_interface or not line.startswith("  ") or line.startswith("   "):
            continue
        body = line[2:]
        if body.startswith(MODIFIERS) or NOT_DECLARATIONS.match(line) or not body.strip():
            continue
        # A member: a nested type, a constructor, a method or a field.
        if re.match(r"^(?:static |final |abstract |synchronized |sealed |non-sealed )*"
                    r"(?:class |interface |enum |record |[\w<>\[\],.? ]+?[\s>\]]\w+\s*[(=;]|\w+\()", body):
            lines[i] = "  public " + body
    return "\n".join(lines)


def strip_imports(text):
    return re.sub(r"^(package|import)\s.*$", "", text, flags=re.M)


current_class = [None]


def main():
    dry = "--dry-run" in sys.argv
    files = git_files()
    fqn_moves, path_moves = moves(files)
    if not fqn_moves:
        print("internalize: nothing to move")
        return
    # Where each class of a touched package lives afterwards, by package before the move.
    by_old_package = {}
    for f in files:
        s = split_source(f)
        if s and (target_package(s[2]) is not None):
            old_fqn = s[2] + "." + s[3]
            new_fqn = fqn_moves.get(old_fqn, old_fqn)
            by_old_package.setdefault(s[2], {})[s[3]] = new_fqn.rsplit(".", 1)[0]
    for old, new in sorted(path_moves.items()):
        print("move", old, "->", new)
    if dry:
        return
    for old, new in sorted(path_moves.items()):
        os.makedirs(os.path.dirname(new), exist_ok=True)
        subprocess.run(["git", "mv", old, new], check=True)
    moved_files = {v: k for k, v in path_moves.items()}
    for f in git_files():
        if f.endswith(".java") and "/src/" in f:
            s = split_source(f)
            original = moved_files.get(f, f)
            before = split_source(original)
            old_package = before[2] if before else None
            new_package = s[2] if s else None
            current_class[0] = s[3] if s else None
            same = by_old_package.get(old_package, {})
            with open(f, encoding="utf-8") as h:
                text = h.read()
            out = rewrite(text, fqn_moves, old_package, new_package, same)
            if f in moved_files and "/src/main/java/" in f:
                out = widen(out)
        elif any("/" + d + "/" in f for d in RESOURCE_DIRS):
            try:
                with open(f, encoding="utf-8") as h:
                    text = h.read()
            except UnicodeDecodeError:
                continue
            out = text
            for old in sorted(fqn_moves, key=len, reverse=True):
                out = re.sub(r"\b" + re.escape(old) + r"\b", fqn_moves[old], out)
        else:
            continue
        if out != text:
            with open(f, "w", encoding="utf-8") as h:
                h.write(out)
    print("internalize: moved %d classes" % len(fqn_moves))


if __name__ == "__main__":
    main()
