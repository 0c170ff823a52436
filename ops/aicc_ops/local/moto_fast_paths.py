"""Faster paths through moto's DynamoDB UpdateItem, its item copies, condition expressions and
response serializer, each answering exactly what moto answers (items, errors and their messages):
the local stack's calls spent most of their CPU there (docs/performance.md, "The local AWS
endpoint's cost"). `patch_moto` (moto_extensions) installs them with the rest of the local stack's
changes to moto.

One exception to "exactly": recursion depth. Where moto's recursive copies and sizes run out of
Python's stack (an arithmetic chain of some 150+ terms, maps nested some 330+ deep: far past what
the call logic writes) moto raises RecursionError, and these paths, using fewer frames per level,
may answer.
"""

from __future__ import annotations

import base64
import functools
import threading
from collections.abc import Iterator
from typing import Any

# Faster paths through moto's DynamoDB UpdateItem, each answering exactly what moto answers (items,
# errors and their messages; tests/functional/local/test_moto_fast_paths.py runs a corpus both
# ways). They are fixes of the kind one would send upstream, written against moto FAST_PATHS_FOR
# and installed only on that version: their proofs of equivalence read moto's code, so an upgrade
# must re-read it and move FAST_PATHS_FOR (a test fails when the pinned moto differs from it).
#
# - DepthFirstTraverser (every validator of an UpdateExpression walks the AST with one) called
#   `_processing_map()` (a new dict of bound methods) twice at every node and matched the node
#   with isinstance against abc classes: the map is static per traverser and a node's processor
#   depends only on its class, so the walk below looks the processor up once per class (kept per
#   processor class and map keys across walks), calls visit() only on children that are nodes (on
#   any other it returns at once), and does ExpressionAttributeResolvingProcessor's pre-processing
#   inline (it only sets `resolving` under an action node, to whether the child is not the first).
# - ActionCountValidator and OverlappingPathsValidator process every UpdateExpression node, and
#   every clause, action chain, path and value of the AST is one (a subclass): each ran
#   `find_clauses` over its whole subtree, quadratic in the clauses (~150 checks on a 20-clause SET).
#   The walks below compute each node's clauses from its children's, in the same order, and call
#   moto's own check only where it can raise: where a count exceeds 1 (ActionCount) or on an
#   action list not checked before (OverlappingPaths; the same list gives the same answer).
#   Processing only nodes of class UpdateExpression would not be the same: moto checks the inner
#   lists of a SET first, and its error names the overlap the first failing list holds.
# - Validator copied the AST with copy.deepcopy, and UpdateItem parsed its expression twice (the
#   response layer and the backend): a parsed AST is plain (nodes with type, children and parent,
#   children are nodes, strings or numbers), copied here as deepcopy would; a parse is a function
#   of the expression, kept per expression (the 512 latest, oldest out first) as a recipe of
#   nested tuples from which each caller gets a fresh tree (not while moto's parser logs at debug
#   level, which a cached parse would skip).
# - The tree parsed last is copied from its kept recipe (nothing changes it before a Validator's
#   copy), and on that copy the checks that change nothing (ActionCount, OverlappingPaths,
#   UpdateHashRangeKey) are not run again once they passed the same expression with the same names
#   and table keys (their answer is a function of those); a replacing processor's walk ends this.
# - An item's size: LimitedSizeDict checks the 400 KB limit at every attribute an update sets, by
#   summing the size of every attribute, and DynamoType.size made a DynamoType of each map value
#   and set element to measure it (see _fast_sizes).
# - Items were copied (UpdateItem's two old images, Query's answers, to_json's values) through
#   copy.deepcopy per value: copied directly, same objects and memo (see _fast_item_copies).
# - Item.project made the whole item's regular form once per projected path: once for paths of
#   one name each (see _fast_projections).
# - ConditionExpressionParser lexed its expression with six regular expressions per token, twice
#   per conditional UpdateItem: the tokens are kept per expression (see _fast_condition_lexing).
# - The response serializer (every DynamoDB answer) looked each member of each structure up
#   through six alias-provider objects (see _fast_member_values), and call_action asked whether
#   its action is a method of the handler through inspect.getmembers (see _fast_action_lookup).
# - The request layer (every request served in process): BotocoreStubber.process_request matched
#   the URL against every service's pattern and rebuilt and matched the backend's URL table, and
#   normalize_request built its werkzeug Request through EnvironBuilder (see _fast_routing and
#   _fast_environ). moto server mode takes neither path: it routes with its own werkzeug app.
#   Every request's raw_url recomputed werkzeug's URL root (see _fast_urls: a pure function's
#   results kept per arguments, so moto server's werkzeug requests get the same URLs), and every
#   answer's body was searched for a RequestId element by a regular expression (see _fast_enrich).
# - Reference cycles, which only the garbage collector frees: a local stack's call left it ~1,850
#   objects (~0.7 ms of collections a call). Every AST node with its parent's children list (the
#   nodes a request made are unlinked once it is answered: see _Served), every werkzeug Request
#   with its environ (cut there too, as Flask cuts it), every botocore response
#   parser with its default blob parser, a method bound to it (see _acyclic_parsers), and the
#   closures here that named themselves to recurse (they take themselves as an argument).
FAST_PATHS_FOR = "5.2.5"
# The request layer's paths (_fast_environ, _fast_urls) were read off werkzeug's code too.
WERKZEUG_FOR = "3.1.9"

# (owner, attribute, moto's own value or _ABSENT, replacement): set_fast_paths switches them.
_FAST_PATHS: list[tuple[Any, str, Any, Any]] = []
_ABSENT = object()
_PARSES: dict[str, Any] = {}
_PARSES_KEPT = 512
# A condition expression's tokens, (nonterminal, text) each, per expression (the _PARSES_KEPT latest).
_LEXES: dict[str, tuple[tuple[str, str], ...]] = {}
_LOCK = threading.Lock()  # the local stack's handlers and moto server's requests run in threads
# One-slot lists, each read once: threads parse and copy at once, so a slot's fields come from
# one write. The tree `parsed` handed out last, its recipe and expression: (tree, recipe, expression).
_HANDED_OUT: list[tuple[Any, Any, str] | None] = [None]
# A Validator's copy of that tree no processor has walked since but the checks that change nothing
# (ActionCount, OverlappingPaths, UpdateHashRangeKey): (copy, expression).
_FRESH_COPY: list[tuple[Any, str] | None] = [None]
# What those checks passed: (check, expression, what else the check reads).
_PASSED: set[tuple[Any, ...]] = set()


class _Served(threading.local):
    """The UpdateExpression AST nodes made here (built from a recipe, or put into a tree by a
    processor's walk) while this thread serves an in-process request (_fast_routing); None outside
    one. Each is linked to its parent, whose children hold it: a reference cycle per node, which
    the garbage collector alone would free. Nothing reads them once the request is answered (moto
    keeps none; _HANDED_OUT and _FRESH_COPY only compare identity): then their parent links are
    cut, and each tree goes with its last reference. Nodes moto makes (a first parse, a tree that
    is not plain) are left to the collector."""

    nodes: list[Any] | None = None


_SERVED = _Served()


def set_fast_paths(enabled: bool) -> None:
    """Install (True) or take back (False) the fast paths; the equivalence test runs moto both ways."""
    _HANDED_OUT[0] = _FRESH_COPY[0] = None
    _PASSED.clear()
    for owner, name, original, fast in _FAST_PATHS:
        if enabled:
            setattr(owner, name, fast)
        elif original is _ABSENT:
            if name in vars(owner):
                delattr(owner, name)
        else:
            setattr(owner, name, original)


def install_fast_paths() -> None:
    """Install the fast paths if moto and werkzeug are the versions they were proven against."""
    from importlib.metadata import version

    import moto

    if moto.__version__ != FAST_PATHS_FOR or version("werkzeug") != WERKZEUG_FOR:
        return
    with _LOCK:  # built once: a second build would take the first's paths for moto's own
        if not _FAST_PATHS:
            _make_fast_paths()
    set_fast_paths(True)


def _make_fast_paths() -> None:
    import copy
    import copyreg
    import importlib
    import logging

    from moto.dynamodb.parsing import validators

    # Modules moto marks `type: ignore` (mypy sees no attributes in them).
    ast_nodes: Any = importlib.import_module("moto.dynamodb.parsing.ast_nodes")
    expressions: Any = importlib.import_module("moto.dynamodb.parsing.expressions")

    node_class = ast_nodes.Node
    traverser = ast_nodes.DepthFirstTraverser
    walk = traverser.traverse

    class NotPlainError(Exception):
        """The tree is not one the parser makes: moto's own code handles it."""

    def kind_test(*bases: type) -> Any:
        """isinstance(obj, bases) answered once per class of obj (moto's AST classes are abc
        classes, whose isinstance goes through ABCMeta.__instancecheck__ every time)."""
        known: dict[type, bool] = {}

        def test(obj: Any) -> bool:
            cls = type(obj)
            if cls not in known:
                known[cls] = issubclass(cls, bases)
            return known[cls]

        return test

    def post_order(root: Any) -> list[Any] | None:
        """The nodes a traverser visits, in its order, if no node holds another's child (every child's
        parent is the node whose children hold it, none twice, the root has none): then a processor
        that returns its node leaves the tree as it was. None otherwise."""
        order: list[Any] = []
        seen: set[int] = set()

        # Recursing through its argument, not its own name: a closure naming itself is a reference
        # cycle (function, cell, function) that only the garbage collector frees, with all it holds.
        def visit(node: Any, parent: Any, visit: Any) -> None:
            if node.parent is not parent or id(node) in seen:
                raise NotPlainError
            seen.add(id(node))
            for child in node.children or ():
                if is_node(child):
                    visit(child, node, visit)
            order.append(node)

        try:
            visit(root, None, visit)
        except NotPlainError:
            return None
        return order

    is_node = kind_test(node_class)

    def served() -> list[Any]:
        """Where the nodes made now go: the request's list (_Served), or one nobody keeps."""
        nodes = _SERVED.nodes
        return [] if nodes is None else nodes

    # The children Node.find_clauses looks into.
    descended = (ast_nodes.Expression, ast_nodes.UpdateExpressionFunction)

    # (processor class, its processing map's keys) -> {node class: the index of its processor in the
    # map, None (a node left as is) or False (not a node)}: what a node's class gets depends only on
    # these, so it is found once per class, not once per walk.
    known_kinds: dict[tuple[Any, ...], dict[type, Any]] = {}
    resolving_pre = validators.ExpressionAttributeResolvingProcessor.pre_processing_of_child
    # The parents under which that pre-processing sets `resolving` (to whether the child is not the first).
    resolves_under = kind_test(
        ast_nodes.UpdateExpressionSetAction,
        ast_nodes.UpdateExpressionRemoveAction,
        ast_nodes.UpdateExpressionDeleteAction,
        ast_nodes.UpdateExpressionAddAction,
    )

    def fast_walk(self: Any, root: Any) -> Any:
        fresh = _FRESH_COPY[0]
        if fresh is not None and root is fresh[0]:
            _FRESH_COPY[0] = None  # this processor may replace nodes
        cls = type(self)
        if any(
            getattr(cls, name) is not getattr(traverser, name)
            for name in ("traverse_node_recursively", "process", "nodes_to_be_processed")
        ):
            return walk(self, root)
        processors = self._processing_map()
        handlers = list(processors.values())
        pre: Any = self.pre_processing_of_child
        own_pre = getattr(pre, "__self__", None) is self and getattr(pre, "__func__", None)
        sets_resolving = own_pre is resolving_pre  # done inline: only under an action it does anything
        if own_pre is traverser.pre_processing_of_child or sets_resolving:
            pre = None
        key = (cls, *processors)
        kinds = known_kinds.get(key)
        if kinds is None:
            kinds = known_kinds[key] = {}

        def kind(node_type: type) -> Any:
            if not issubclass(node_type, node_class):
                found: Any = False
            else:  # the first key that matches, as process() takes it
                found = next((n for n, k in enumerate(processors) if issubclass(node_type, k)), None)
            kinds[node_type] = found
            return found

        def visit(node: Any, child_id: int, visit: Any) -> Any:  # itself as argument: see post_order
            node_type = type(node)
            found = kinds[node_type] if node_type in kinds else kind(node_type)
            if found is False:
                return node
            parent_node = node.parent
            if node.children is not None:  # a child that is not a node is not visited: visit() returns it
                if sets_resolving and resolves_under(node):
                    for i, child_node in enumerate(node.children):
                        self.resolving = i != 0
                        if (kinds[t] if (t := type(child_node)) in kinds else kind(t)) is not False:
                            visit(child_node, i, visit)
                else:
                    for i, child_node in enumerate(node.children):
                        if pre is not None:
                            pre(node, i)
                        if (kinds[t] if (t := type(child_node)) in kinds else kind(t)) is not False:
                            visit(child_node, i, visit)
            if found is not None:
                new = handlers[found](node)
                if new is not node and parent_node:
                    served().append(new)  # linked to parent_node, as node was (_Served)
                node = new
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
            return node

        return visit(root, -1, visit)

    clause_kinds = (
        ast_nodes.UpdateExpressionAddClause,
        ast_nodes.UpdateExpressionRemoveClause,
        ast_nodes.UpdateExpressionSetClause,
    )

    def once(check: Any, self: Any, root: Any, names: Any, keys: Any = ()) -> Any:
        """check(self, root), a check that changes nothing, unless root is a Validator's copy of a
        kept parse that no processor has changed and the check passed on that expression with the
        same names and table keys (what it reads besides the tree) as strings."""
        key, fresh = None, _FRESH_COPY[0]
        if (
            fresh is not None
            and root is fresh[0]
            and type(names) is dict
            and type(keys) in (list, tuple)
            and all(type(x) is str for pair in names.items() for x in pair)
            and all(type(x) is str for x in keys)
        ):
            key = (type(self), fresh[1], tuple(names.items()), tuple(keys))
            if key in _PASSED:
                return root
        checked = check(self, root)
        if key is not None:
            if len(_PASSED) >= 4 * _PARSES_KEPT:
                _PASSED.clear()
            _PASSED.add(key)
        return checked

    def count_clauses(self: Any, root: Any) -> Any:
        return once(count_clauses_walk, self, root, {})

    def count_clauses_walk(self: Any, root: Any) -> Any:
        order = post_order(root)
        if order is None:
            return walk(self, root)
        counts: dict[int, tuple[int, ...]] = {}  # node -> its find_clauses counts of clause_kinds
        descends, processed = kind_test(*descended), kind_test(ast_nodes.UpdateExpression)
        for node in order:
            total = [0, 0, 0]
            for child in node.children or ():
                below = counts.get(id(child)) if descends(child) else None
                for n, kind in enumerate(clause_kinds):
                    total[n] += 1 if type(child) is kind else (below[n] if below else 0)
            counts[id(node)] = tuple(total)
            if max(total) > 1 and processed(node):
                self.verify_action_counts(node)  # raises moto's error
        return root

    action_kinds = (
        ast_nodes.UpdateExpressionSetAction,
        ast_nodes.UpdateExpressionAddAction,
        ast_nodes.UpdateExpressionRemoveAction,
        ast_nodes.UpdateExpressionDeleteAction,
    )

    class Found:
        """A node whose find_clauses answers a list already found."""

        def __init__(self, clauses: list[Any]) -> None:
            self.clauses = clauses

        def find_clauses(self, clause_types: Any) -> list[Any]:
            return list(self.clauses)

    def check_paths(self: Any, root: Any) -> Any:
        return once(check_paths_walk, self, root, self.expression_attribute_names)

    def check_keys(self: Any, root: Any) -> Any:
        """UpdateHashRangeKeyValidator: every path's first name against the table's keys."""
        return once(fast_walk, self, root, self.expression_attribute_names, self.table_key_attributes)

    def check_paths_walk(self: Any, root: Any) -> Any:
        order = post_order(root)
        if order is None:
            return walk(self, root)
        actions: dict[int, list[Any]] = {}  # node -> find_clauses(action_kinds)
        checked: set[tuple[int, ...]] = set()
        descends, processed = kind_test(*descended), kind_test(ast_nodes.UpdateExpression)
        for node in order:
            found: list[Any] = []
            for child in node.children or ():
                if type(child) in action_kinds:
                    found.append(child)
                elif descends(child):
                    found.extend(actions[id(child)])
            actions[id(node)] = found
            if processed(node):
                ids = tuple(map(id, found))
                if ids not in checked:
                    self.check_for_overlapping_paths(Found(found))
                    checked.add(ids)
        return root

    atomic = (str, int, float, bool, type(None))

    def recipe_of(root: Any) -> Any:
        """A plain AST as nested tuples (class, type, children: None or a tuple of atoms and
        recipes), from which build() makes what copy.deepcopy(root) makes; None if not plain."""
        if root.parent is not None:
            return None
        seen: set[int] = set()
        plain: dict[type, bool] = {}
        nodes: dict[type, bool] = {}  # a child's class: a node's (True) or an atom's (False)

        def plain_class(cls: Any) -> bool:
            """deepcopy copies its instances as cls.__new__(cls) with a copy of their __dict__."""
            plain[cls] = not (
                cls in copy._deepcopy_dispatch  # type: ignore[attr-defined]
                or cls in copyreg.dispatch_table
                or any(
                    hasattr(cls, name)
                    for name in ("__deepcopy__", "__setstate__", "__getnewargs__", "__getnewargs_ex__")
                )
                or cls.__reduce_ex__ is not object.__reduce_ex__
                or cls.__reduce__ is not object.__reduce__
                or cls.__getstate__ is not object.__getstate__
            )
            return plain[cls]

        def is_node(child_type: type) -> bool:
            if child_type in atomic:  # deepcopy keeps these as they are
                nodes[child_type] = False
            elif issubclass(child_type, node_class):
                nodes[child_type] = True
            else:
                raise NotPlainError
            return nodes[child_type]

        def recipe(node: Any, parent: Any, recipe: Any) -> tuple[Any, str, Any]:  # see post_order
            cls: Any = type(node)
            state = node.__dict__
            children = state.get("children")
            if (
                tuple(state) != ("type", "children", "parent")  # as Node.__init__ sets them
                or node.parent is not parent
                or id(node) in seen
                or type(state["type"]) is not str
                or not (children is None or type(children) is list)
                or not (plain[cls] if cls in plain else plain_class(cls))
            ):
                raise NotPlainError
            seen.add(id(node))
            if children is not None:
                children = tuple(
                    recipe(child, node, recipe)
                    if (nodes[t] if (t := type(child)) in nodes else is_node(t))
                    else child
                    for child in children
                )
            return cls, state["type"], children

        try:
            return recipe(root, None, recipe)
        except NotPlainError:
            return None

    def build(recipe: tuple[Any, str, Any], nodes: list[Any], parent: Any = None) -> Any:
        """The tree of this recipe; its nodes are added to nodes (_Served)."""
        cls, node_type, children = recipe
        node = cls.__new__(cls)
        nodes.append(node)
        state = node.__dict__
        state["type"] = node_type
        state["children"] = (
            None
            if children is None
            else [build(child, nodes, node) if type(child) is tuple else child for child in children]
        )
        state["parent"] = parent
        return node

    def copy_tree(root: Any) -> Any:
        """copy.deepcopy(root) for a plain AST, else None."""
        recipe = recipe_of(root)
        return None if recipe is None else build(recipe, served())

    def deepcopy(x: Any, memo: Any = None, _nil: Any = None) -> Any:
        handed = _HANDED_OUT[0]
        if memo is None and handed is not None and x is handed[0]:
            # The tree parsed last is built anew from its recipe without deriving the recipe again:
            # in moto FAST_PATHS_FOR nothing changes a parsed tree before a Validator copies it
            # (UpdateItem's backend parses, then reads the item and checks the condition and copies
            # it once or twice; the response layer's and TransactWriteItems' trees are only read by
            # find_clauses, and all are parsed again by the backend before their copy).
            tree = build(handed[1], served())
            _FRESH_COPY[0] = tree, handed[2]
            return tree
        if memo is None and isinstance(x, node_class):
            tree = copy_tree(x)
            if tree is not None:
                return tree
        return copy.deepcopy(x, memo) if _nil is None else copy.deepcopy(x, memo, _nil)

    parser = expressions.UpdateExpressionParser
    make = parser.__dict__["make"].__func__
    parser_log = logging.getLogger(expressions.__name__)

    def parsed(cls: Any, expression_str: Any) -> Any:
        if cls is not parser or type(expression_str) is not str or parser_log.isEnabledFor(logging.DEBUG):
            return make(cls, expression_str)
        recipe = _PARSES.get(expression_str)
        if recipe is None:
            tree = make(cls, expression_str)
            recipe = recipe_of(tree)
            if recipe is None:
                return tree
            _keep(_PARSES, expression_str, recipe)
        tree = build(recipe, served())
        _HANDED_OUT[0] = tree, recipe, expression_str
        return tree

    for owner, name, fast in (
        *_fast_member_values(),
        *_fast_action_lookup(),
        *_fast_sizes(),
        *_fast_routing(),
        *_fast_environ(),
        *_fast_urls(),
        *_fast_enrich(),
        *_acyclic_parsers(),
        *_fast_item_copies(),
        *_fast_condition_lexing(),
        *_fast_projections(),
        (traverser, "traverse", fast_walk),
        (validators.ActionCountValidator, "traverse", count_clauses),
        (validators.OverlappingPathsValidator, "traverse", check_paths),
        (validators.UpdateHashRangeKeyValidator, "traverse", check_keys),
        (validators, "deepcopy", deepcopy),
        (parser, "make", classmethod(parsed)),
    ):
        _FAST_PATHS.append((owner, name, vars(owner).get(name, _ABSENT), fast))


def _fast_member_values() -> list[tuple[Any, str, Any]]:
    """The response serializer finds each member of a response's structures through its attribute
    picker: a context object, then the keys six alias-provider objects propose, each looked up
    (an item's attribute value is a structure of ten members). For a plain dict (DynamoDB's results),
    moto's default providers and no response transformers: the same keys, in the same order, looked
    up in the dict without the objects."""
    from botocore import xform_name
    from moto.core import serialize
    from moto.core import utils as moto_utils

    missing = moto_utils.MISSING  # type: ignore[attr-defined]
    serializer = serialize.ResponseSerializer
    own_get_value = serializer.get_value
    picker = serialize.XFormedAttributePicker
    providers = serialize.DEFAULT_ALIAS_PROVIDERS
    default = [
        serialize.ExplicitAlias,
        serialize.ShapeNameAlias,
        serialize.NoAlias,
        serialize.ShapePrefixAlias,
        serialize.ClassPrefixAlias,
        serialize.ModelAlias,
    ]

    def aliases(key: str, shape: Any) -> Iterator[str]:
        """What the providers propose for a dict, in their order."""
        # ExplicitAlias: a dict has no Meta.
        if shape is not None and shape.type_name in ["list", "structure"]:  # ShapeNameAlias
            try:
                sibling = shape.name in shape.parent.members
            except AttributeError:
                sibling = False
            if not sibling and key != shape.name:
                yield shape.name
        yield key  # NoAlias
        if shape is not None and hasattr(shape, "parent") and shape.parent.type_name == "structure":
            parent = shape.parent  # ShapePrefixAlias
            if key.lower().startswith(parent.name.lower()) and key[len(parent.name) :] not in parent.members:
                yield key[len(parent.name) :]
        if key.lower().startswith("dict"):  # ClassPrefixAlias: the class of a dict is "dict"
            yield key[len("dict") :]
        if shape is not None and shape.serialization.get("name", key) != key:  # ModelAlias
            yield shape.serialization["name"]

    def member_value(self: Any, value: Any, key: str, shape: Any) -> Any:
        chooser = self._value_picker
        if not (
            type(value) is dict
            and type(chooser) is picker
            and chooser.alias_providers is providers
            and providers == default
            and not chooser.response_transformers
        ):
            return own_get_value(self, value, key, shape)
        for alias, xformed in keys_of(key, shape):  # XFormedAttributePicker: each alias, then xformed
            found = look_up(value, alias)
            if found is missing:
                found = look_up(value, xformed)
            if found is not missing:
                return found
        return None

    # (key, shape, its parent) -> (shape, parent, [(alias, xform_name(alias))]): the aliases read only
    # the key and the model's shapes (names, members, serialization), which do not change; the
    # parent is the structure the serializer is in (it sets member.parent before each member).
    known: dict[tuple[str, int, int], tuple[Any, Any, list[tuple[str, str]]]] = {}

    def keys_of(key: str, shape: Any) -> Iterator[tuple[str, str]] | list[tuple[str, str]]:
        parent = getattr(shape, "parent", _ABSENT)
        entry = known.get((key, id(shape), id(parent)))
        if entry is not None and entry[0] is shape and entry[1] is parent:
            return entry[2]
        try:
            found = [(alias, xform_name(alias)) for alias in aliases(key, shape)]
        except Exception:  # raised where moto raises: after the aliases before it were looked up
            return ((alias, xform_name(alias)) for alias in aliases(key, shape))
        if len(known) >= 4096:
            known.clear()
        known[key, id(shape), id(parent)] = shape, parent, found
        return found

    def look_up(value: dict[str, Any], key: str) -> Any:
        """moto's get_value of a dict (a dotted key is a path)."""
        return moto_utils.get_value(value, key, missing) if "." in key else value.get(key, missing)

    return [(serializer, "get_value", member_value)]


def _fast_action_lookup() -> list[tuple[Any, str, Any]]:
    """BaseResponse.call_action (every request) asks whether its action is a method of the handler
    as `action in method_names_from_class(cls)`: inspect.getmembers of the class (getattr of its
    ~300 names, sorted). For a class of metaclass type, the answer for the one name asked: getmembers
    lists the names dir() gives (the keys of every class dict in the MRO), each with its value by
    getattr (else the first class dict holding it), and keeps the functions. call_action is the only
    reader of the name in moto.core.responses and only asks `in`. Assumed: getattr of the class's
    other names has no effect and raises nothing but AttributeError (getmembers runs them all; a
    descriptor raising otherwise would fail every action under moto and not here). True of every
    handler class of moto 5.2.5: a reviewer compared all 209 BaseResponse subclasses, 22,975 names."""
    import inspect
    import types

    from moto.core import responses, utils

    own = utils.method_names_from_class  # responses imports it from utils

    class MethodNames:
        def __init__(self, cls: type) -> None:
            self.cls = cls

        def __contains__(self, name: object) -> bool:
            cls = self.cls
            if type(name) is not str or any(
                isinstance(vars(base).get(name), types.DynamicClassAttribute)  # listed twice
                for base in cls.__bases__
            ):
                return name in own(cls)
            holder = next((vars(k) for k in cls.__mro__ if name in vars(k)), None)
            if holder is None:
                return False
            try:
                value = getattr(cls, name)
            except AttributeError:
                value = holder[name]
            return inspect.isfunction(value)

    def method_names(cls: Any) -> Any:
        return MethodNames(cls) if type(cls) is type else own(cls)

    return [(responses, "method_names_from_class", method_names)]


def _fast_sizes() -> list[tuple[Any, str, Any]]:
    """DynamoType.size, counted without making a DynamoType of each map value and set element (a
    map's values are measured as DynamoType(value).size(), which is the size of the value as
    DynamoType's constructor converts it). Pure: on any error moto's own size() answers."""
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    dynamo = dynamo_type.DynamoType
    own_size = dynamo.size
    kinds = dynamo_type.DDBType
    sets = (kinds.STRING_SET, kinds.NUMBER_SET, kinds.BINARY_SET)

    def scalar(kind: Any, value: Any) -> int:
        """size() of a DynamoType of this type and value, neither a list nor a map."""
        if kind == kinds.NUMBER:
            return len(str(value))
        if kind in sets:
            return sum([scalar(kind[0], v) for v in value])
        if isinstance(value, bool):
            return 1
        return bytesize(value)

    def made(raw: Any) -> Any:
        """DynamoType(raw).size()."""
        if type(raw) is dynamo:
            kind, value = raw.type, raw.value
        elif type(raw) is dict and raw:
            kind, value = next(iter(raw.items()))
        else:
            return own_size(dynamo(raw))
        if kind == kinds.LIST:
            return sum([made(v) for v in value])
        if kind == kinds.MAP:
            return sum([bytesize(k) + made(v) for k, v in value.items()])
        return scalar(kind, value)

    def measured(item: Any) -> int:
        """item.size() of a DynamoType."""
        if item.type == kinds.LIST:
            return sum([measured(v) if type(v) is dynamo else v.size() for v in item.value])
        if item.type == kinds.MAP:
            return sum([bytesize(k) + made(v) for k, v in item.value.items()])
        return scalar(item.type, item.value)

    def size(self: Any) -> Any:
        if type(self) is dynamo:
            try:
                return measured(self)
            except Exception:
                pass  # moto's size raises its own error
        return own_size(self)

    return [(dynamo, "size", size)]


def _fast_routing() -> list[tuple[Any, str, Any]]:
    """BotocoreStubber.process_request (moto's dispatcher of an in-process request) as moto runs it,
    with its two URL scans kept per URL: the services whose pattern matches the URL (a function of
    the URL and backend_index's patterns, compared on each request) and the handler of the first of
    a backend's URLs that matches (a function of the URL, the backend's class, its urls module's
    url_bases and url_paths and MOTO_ENABLE_ISO_REGIONS: BaseBackend.urls reads nothing else). The
    configuration checks, the backend lookup (it creates the backend) and the rest run as in moto."""
    import re

    from moto import backend_index, backends, settings
    from moto.core import base_backend, botocore_stubber
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.moto_api import recorder
    from werkzeug.exceptions import HTTPException  # moto.core.exceptions's

    stubber = botocore_stubber.BotocoreStubber
    m: Any = botocore_stubber  # its names are read when called, as moto's method reads them
    base = base_backend.BaseBackend
    no_match = object()
    patterns_seen: list[tuple[Any, ...]] = [()]
    services_of: dict[str, tuple[str, ...]] = {}  # clean URL -> services whose pattern matches
    handlers: dict[tuple[Any, ...], Any] = {}  # (class, module, its URLs, flag, clean URL) -> handler

    def services(clean_url: str) -> tuple[str, ...]:
        patterns = tuple(backend_index.backend_url_patterns)
        if patterns != patterns_seen[0]:
            services_of.clear()
            patterns_seen[0] = patterns
        found = services_of.get(clean_url)
        if found is None:
            found = tuple(service for service, pattern in patterns if pattern.match(clean_url))
            if len(services_of) >= 1024:
                services_of.clear()
            services_of[clean_url] = found
        return found

    def scan(backend: Any, clean_url: str) -> Any:
        """moto's loop over backend.urls: the handler of the first URL that matches."""
        for url, method_to_execute in backend.urls.items():
            if re.compile(url).match(clean_url):
                return method_to_execute
        return no_match

    def handler(backend: Any, clean_url: str) -> Any:
        cls = type(backend)
        if cls.urls is not base.urls or cls.url_bases is not base.url_bases:
            return scan(backend, clean_url)
        module = backend._url_module
        key = (
            cls,
            module,
            tuple(module.url_bases),
            tuple(module.url_paths.items()),
            settings.enable_iso_regions(),
            clean_url,
        )
        try:
            found = handlers.get(key)
        except TypeError:  # a handler that is not hashable
            return scan(backend, clean_url)
        if found is None:
            found = scan(backend, clean_url)
            if len(handlers) >= 1024:
                handlers.clear()
            handlers[key] = found
        return found

    def answer(method_to_execute: Any, normalized_request: Any) -> tuple[Any, Any, Any]:
        try:
            recorder._record_request(normalized_request)
            status, headers, body = method_to_execute(
                normalized_request,
                normalized_request.raw_url,
                normalized_request.headers,
            )
        except HTTPException as e:
            status = e.code
            headers = e.get_headers()
            body = e.get_body()
        return status, headers, body

    def process_request(self: Any, request: Any) -> Any:
        parsed_url, _ = m.get_equivalent_url_in_aws_domain(request.url)
        clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"

        if m.passthrough_url(clean_url):
            return None

        for service in services(clean_url):
            if m.passthrough_service(service):
                return None

            if not m.service_whitelisted(service):
                raise m.ServiceNotWhitelisted(service)

            backend_dict = backends.get_backend(service)  # type: ignore[call-overload]

            if isinstance(backend_dict, m.BackendDict):
                if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID]:
                    backend = backend_dict[DEFAULT_ACCOUNT_ID]["us-east-1"]
                else:
                    backend = backend_dict[DEFAULT_ACCOUNT_ID]["aws"]
            else:
                backend = backend_dict["global"]

            method_to_execute = handler(backend, clean_url)
            if method_to_execute is not no_match:
                normalized_request = m.normalize_request(request)
                outer, _SERVED.nodes = _SERVED.nodes, []  # a request served within one: its own list
                try:
                    status, headers, body = answer(method_to_execute, normalized_request)
                finally:
                    nodes, _SERVED.nodes = _SERVED.nodes, outer
                # Answered: the reference cycles of what served it, none of which outlives it, are
                # cut (left to the garbage collector if it raised), so all goes with its last
                # reference: the AST nodes it made (_Served), and the Request's own entry in its
                # environ, as Flask cuts it at the end of its requests.
                for node in nodes:
                    node.parent = None
                if normalized_request is not request:
                    environ = normalized_request.environ
                    if environ.get("werkzeug.request") is normalized_request:
                        environ["werkzeug.request"] = None
                return status, headers, body

        if m.re.compile(r"https?://.+\.amazonaws.com/.*").match(clean_url):
            return 404, {}, "Not yet implemented"

        return None

    return [(stubber, "process_request", process_request)]


def _fast_environ() -> list[tuple[Any, str, Any]]:
    """Request.from_primitives (how normalize_request makes a botocore request a werkzeug Request):
    moto passes it to Request.from_values, whose EnvironBuilder parses the URL (iri_to_uri, urlsplit)
    and copies the headers into werkzeug Headers twice. For a body of bytes or str and headers of str
    without newlines: the environ's URL part, a function of the method, base URL, path and query,
    made by EnvironBuilder once per URL, and the body and header part as its get_environ makes it
    (CONTENT_TYPE the first Content-Type, CONTENT_LENGTH the body's length, each other header as
    HTTP_<NAME>, repeated names joined by ", ", in this order). The rest as moto does it."""
    import sys
    from io import BytesIO
    from urllib.parse import urlparse

    from moto.core import request as moto_request
    from werkzeug.test import EnvironBuilder

    request_class = moto_request.Request
    own = request_class.__dict__["from_primitives"].__func__
    preserved_key = moto_request.PRESERVED_HEADER_NAMES_ENVIRON_KEY
    url_parts: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    apart = ("content-type", "content-length")  # in the environ without HTTP_

    def url_part(method: str, base_url: str, path: str, query: str) -> dict[str, Any]:
        key = (method, base_url, path, query)
        part = url_parts.get(key)
        if part is None:
            builder = EnvironBuilder(method=method, base_url=base_url, path=path, query_string=query)
            try:
                part = builder.get_environ()
            finally:
                builder.close()
            if len(url_parts) >= 1024:
                url_parts.clear()
            url_parts[key] = part
        return part

    def from_primitives(cls: Any, method: Any, url: Any, headers: Any, body: Any = None) -> Any:
        if cls is not request_class or type(method) is not str or type(url) is not str:
            return own(cls, method, url, headers, body)
        header_items = [
            (key, value.decode("utf-8") if isinstance(value, bytes) else value)
            for key, value in headers.items()
            if key.lower() not in ["transfer-encoding"]
        ]
        try:
            data = body.encode() if type(body) is str else body
        except UnicodeEncodeError:
            return own(cls, method, url, headers, body)
        if (
            type(data) is not bytes
            or not data
            or not all(
                type(k) is str and type(v) is str and "\r" not in v and "\n" not in v for k, v in header_items
            )
        ):
            return own(cls, method, url, headers, body)
        parsed_url = urlparse(url)
        base_url = f"{parsed_url.scheme}://{parsed_url.netloc}"
        try:
            environ = dict(url_part(method, base_url, parsed_url.path, parsed_url.query))
        except Exception:  # moto's call raises it
            return own(cls, method, url, headers, body)
        environ["wsgi.input"] = BytesIO(data)
        environ["wsgi.errors"] = sys.stderr
        content_type = next((v for k, v in header_items if k.lower() == "content-type"), None)
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        environ["CONTENT_LENGTH"] = str(len(data))
        combined: dict[str, list[str]] = {}
        for key, value in header_items:
            if key.lower() not in apart:
                combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(value)
        for key, values in combined.items():
            environ[key] = ", ".join(values)
        request = cls(environ)
        request.environ[preserved_key] = {
            moto_request.environ_key_for_header(key): key
            for key, _ in header_items
            if moto_request.should_preserve_original_header_name(key)
        }
        request.environ.setdefault("CONTENT_LENGTH", "0")
        return request

    return [(request_class, "from_primitives", classmethod(from_primitives))]


def _fast_urls() -> list[tuple[Any, str, Any]]:
    """moto reads every request's raw_url (twice: the dispatcher and setup_class), whose url_root is
    werkzeug's get_current_url(scheme, host, root path) of get_host(scheme, Host header, server,
    trusted hosts): string functions of their arguments (quoting, IRI decoding, validating the host),
    kept here per arguments when these are strings, bytes, None or tuples of those and ints. Their
    errors (an untrusted host) are not kept: every such call runs werkzeug's function."""
    from werkzeug.sansio import request as sansio_request

    scalars = (str, bytes, int, type(None))

    def plain(args: tuple[Any, ...]) -> bool:
        return all(
            type(a) in scalars or (type(a) is tuple and all(type(b) in scalars for b in a)) for a in args
        )

    def kept(function: Any) -> Any:
        cached = functools.lru_cache(maxsize=1024)(function)  # an error is raised, never kept

        def call(*args: Any, **kwargs: Any) -> Any:
            return cached(*args) if not kwargs and plain(args) else function(*args, **kwargs)

        return call

    return [
        (sansio_request, name, kept(getattr(sansio_request, name)))
        for name in ("get_current_url", "get_host")
    ]


def _acyclic_parsers() -> list[tuple[Any, str, Any]]:
    """botocore's Endpoint makes a response parser per response, and each parser without a
    blob_parser (all: the session's factory sets none) keeps its _default_blob_parser, a method
    bound to itself, as its _blob_parser: a reference cycle per parser (two for JSON, with its event
    stream parser). That method only returns base64.b64decode(value): base64.b64decode itself, as a
    static method, gives the same bytes and no cycle. Installed only while botocore's method is that
    very code (compared with _blob_read's, compiled here: botocore is not pinned)."""
    from botocore import parsers

    owner = parsers.ResponseParser
    code, same = getattr(owner.__dict__.get("_default_blob_parser"), "__code__", None), _blob_read.__code__
    if (
        code is None
        or vars(parsers).get("base64") is not base64
        or (code.co_code, code.co_names, code.co_varnames) != (same.co_code, same.co_names, same.co_varnames)
    ):
        return []
    return [(owner, "_default_blob_parser", staticmethod(base64.b64decode))]


def _blob_read(self: Any, value: Any) -> Any:
    """botocore 1.44's ResponseParser._default_blob_parser, statement for statement (_acyclic_parsers)."""
    return base64.b64decode(value)


def _fast_enrich() -> list[tuple[Any, str, Any]]:
    """BaseResponse._enrich_response (every answer) writes the request ID into the body's RequestId
    element with re.sub, whose lookbehind is tried at each character of the body. A str body without
    "<RequestId>" cannot match, and re.sub gives it back as it is: that scan is skipped. The rest (the
    status header made a str, a request ID drawn from moto's random into the headers) as moto does."""
    from moto.core import responses

    base = responses.BaseResponse
    own = base.__dict__["_enrich_response"].__func__
    ids: Any = responses  # gen_amzn_requestid_long is read when called, as moto's method reads it

    def enrich(headers: Any, body: Any) -> Any:
        if type(body) is not str or "<RequestId>" in body:
            return own(headers, body)
        if "status" in headers:
            headers["status"] = str(headers["status"])
        ids.gen_amzn_requestid_long(headers)
        return headers, body

    return [(base, "_enrich_response", staticmethod(enrich))]


def _keep(kept: dict[str, Any], expression: str, value: Any) -> None:
    with _LOCK:  # another thread may add or drop one meanwhile
        while len(kept) >= _PARSES_KEPT:
            del kept[next(iter(kept))]
        kept[expression] = value


def _fast_condition_lexing() -> list[tuple[Any, str, Any]]:
    """ConditionExpressionParser lexes its expression by trying six regular expressions per token
    (UpdateItem parses its condition twice, Query and Scan their filter once): its tokens are a function
    of the expression, kept per expression and handed out as moto makes them (a new deque of new nodes,
    each with a new empty children list). An expression moto cannot lex is lexed by moto (its error)."""
    from collections import deque

    from moto.dynamodb import comparisons

    parser = comparisons.ConditionExpressionParser
    own_lex = parser._lex_condition_expression

    def lex(self: Any) -> Any:
        expression = self.condition_expression
        if type(self) is not parser or type(expression) is not str:
            return own_lex(self)
        tokens = _LEXES.get(expression)
        make, literal = parser.Node, parser.Kind.LITERAL
        if tokens is None:
            nodes = own_lex(self)
            if all(
                type(n) is make and n.kind == literal and n.value is n.text and n.children == []
                for n in nodes
            ):
                _keep(_LEXES, expression, tuple((n.nonterminal, n.text) for n in nodes))
            return nodes
        return deque([make(nonterminal, literal, text, text, []) for nonterminal, text in tokens])

    return [(parser, "_lex_condition_expression", lex)]


def _fast_projections() -> list[tuple[Any, str, Any]]:
    """Item.project made the item's regular form (to_regular_json: a deep copy of each value, then
    boto3's TypeDeserializer of it all) once per projected path. When each path is one name (an
    attribute, or an element of a top-level list: what the call logic projects), find_nested_key
    only reads that form and merge_dicts merges into the result only values read from it (a name
    projected twice merges a value with itself), so nothing changes it and one serves every path;
    the first path made it where moto does, so an item moto cannot convert fails as in moto."""
    import importlib

    # Read at each call, as moto's project reads its module's names (mypy sees no re-exports there).
    dynamo_type: Any = importlib.import_module("moto.dynamodb.models.dynamo_type")
    item_class = dynamo_type.Item
    own_project = item_class.project

    def project(self: Any, projection_expressions: Any) -> Any:
        if (
            type(self) is not item_class
            or type(projection_expressions) is not list
            or not all(type(path) is list and len(path) == 1 for path in projection_expressions)
        ):
            return own_project(self, projection_expressions)
        result: dict[str, Any] = {}
        regular = None
        for path in projection_expressions:
            if regular is None:
                regular = self.to_regular_json()
            dynamo_type.merge_dicts(result, dynamo_type.find_nested_key(path, regular))
        return dynamo_type.Item(
            hash_key=self.hash_key,
            range_key=self.range_key,
            attrs=dynamo_type.serializer.serialize(result)["M"],
        )

    return [(item_class, "project", project)]


def _fast_item_copies() -> list[tuple[Any, str, Any]]:
    """Item.__deepcopy__ and DynamoType.__deepcopy__: moto's copy each value of an item through
    copy.deepcopy (a memo look-up, a dispatch, a getattr and a keep-alive per value). The same copy
    made directly: the same new objects in the same order, the same memo (a value held in two places
    is copied once, as deepcopy does), sets copied as lists and other values shared as moto's does;
    copy.deepcopy for anything else (raw dicts an update puts in maps, a subclass, an instance's own
    __deepcopy__). UpdateItem copies the item twice; Query copies each item it answers."""
    import copy

    from moto.dynamodb.models import dynamo_type

    dynamo = dynamo_type.DynamoType
    item_class = dynamo_type.Item
    limited = dynamo_type.LimitedSizeDict
    own_value_copy = dynamo.__deepcopy__
    own_item_copy = item_class.__deepcopy__
    kinds = dynamo_type.DDBType
    sets = (kinds.STRING_SET, kinds.NUMBER_SET, kinds.BINARY_SET)  # DynamoType.is_set's order
    absent = object()

    def copied(value: Any, memo: dict[int, Any]) -> Any:
        """copy.deepcopy(value, memo)."""
        if type(value) is not dynamo or "__deepcopy__" in value.__dict__:
            return copy.deepcopy(value, memo)
        done = memo.get(id(value), absent)
        return value_copy(value, memo) if done is absent else done

    def value_copy(self: Any, memo: dict[int, Any]) -> Any:
        if type(self) is not dynamo:
            return own_value_copy(self, memo)
        if id(self) in memo:
            return memo[id(self)]
        result = dynamo.__new__(dynamo)
        memo[id(self)] = result
        kind = result.type = self.type
        value = self.value
        if kind == kinds.LIST:
            result.value = [copied(v, memo) for v in value]
        elif kind == kinds.MAP:
            result.value = {k: copied(v, memo) for k, v in value.items()}
        elif kind in sets:
            result.value = list(value)
        else:
            result.value = value
        return result

    def item_copy(self: Any, memo: dict[int, Any]) -> Any:
        if type(self) is not item_class:
            return own_item_copy(self, memo)
        if id(self) in memo:
            return memo[id(self)]
        result: Any = item_class.__new__(item_class)
        memo[id(self)] = result
        result.hash_key = copied(self.hash_key, memo)
        result.range_key = copied(self.range_key, memo)
        attrs = limited.__new__(limited)
        dict.__init__(attrs)
        for key, value in self.attrs.items():
            dict.__setitem__(attrs, key, copied(value, memo))
        result.attrs = attrs
        return result

    return [(dynamo, "__deepcopy__", value_copy), (item_class, "__deepcopy__", item_copy)]
