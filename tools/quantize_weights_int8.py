"""Write a weight-only int8 copy of an ONNX model: the large Conv/MatMul/Gemm weights stored as int8.

Why: a second version of a demo model (data/demo/models/pp-ocrv4-rec-int8.onnx) that a pipeline can swap in and a
comparison can set against the float original — about a quarter of the size, the same interface, slightly
different numbers.

Run with Debian's python3 (python3-onnx, python3-numpy), from anywhere:

    /usr/bin/python3 tools/quantize_weights_int8.py INPUT.onnx OUTPUT.onnx

What it does, and nothing else:
  - A weight is a float32 tensor (an initializer, or the value of a Constant node) with at least 1024 elements
    that is read only as the weight of a Conv (input 1), MatMul (either input) or Gemm (input 0 or 1). Biases,
    BatchNormalization parameters, small tensors and anything else stay float and untouched.
  - Each weight W becomes an int8 initializer Q, a float32 scale S and an int8 zero point 0 (symmetric), and a
    DequantizeLinear node (y = (Q - 0) * S) at the start of the graph writes the original tensor name, so every
    node that read W reads the same name as before. S = max|W| / 127 and Q = round-half-to-even(W / S) clipped to
    [-127, 127]; an all-zero W (or row) gets S = 1.
  - Conv weights get one scale per output channel (axis 0) when DequantizeLinear has its axis attribute, i.e. at
    opset 13 or later; MatMul and Gemm weights, and Conv weights below opset 13, get one scale per tensor.
  - DequantizeLinear exists from opset 10. The default-domain opset is raised (to 13, else to 10) only when every
    operator the graph uses has the same meaning at the new opset: either its definition did not change in between,
    or it only gained types or optional inputs with the old behaviour as default (the SAME_MEANING list below), or
    it is one of the few whose attributes became inputs (Slice, Clip, Squeeze, Unsqueeze), which are rewritten to
    the new form with the same values, or a Softmax over its last axis (the only case where Softmax-13 means what
    Softmax-1 meant; ranks come from onnx's shape inference, else are carried through the graph op by op). If 13 is
    not safe, per-tensor scales: at the model's own opset if that is 10 or more, else at 10 if raising to 10 is safe;
    if neither, it stops without writing.
  - Everything else — graph inputs and outputs, the order and names of the other nodes, attributes, metadata, IR
    version — is kept. A weight that was a Constant node loses that node; the DequantizeLinear nodes come first.
  - The same input gives the same bytes: no randomness, no time stamps, deterministic serialisation.

It prints the sizes before and after, the opset, and how many tensors it quantised, then runs onnx.checker on the
file it wrote. The DequantizeLinear definition used is the ONNX operator specification's (opsets 10 and 13).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

MIN_ELEMENTS = 1024
QMAX = 127
PER_AXIS_OPSET = 13  # DequantizeLinear-13 has the axis attribute
DEQUANTIZE_OPSET = 10  # DequantizeLinear first exists in opset 10

# Operators whose definition changed between opset 7 and 13 only by taking more types, negative axes, or new
# optional attributes/inputs whose default is the old behaviour; a node of these means the same at opset 13.
# (BatchNormalization lost its spatial attribute at 9; ReduceSum, Dropout, Pad, Split, TopK, Upsample, Resize,
# Softmax and others changed meaning or moved attributes to inputs at or before 13, so they are not here. An operator
# whose version is the same at both opsets needs no entry.)
SAME_MEANING = {
    "Abs", "Add", "AveragePool", "Cast", "Ceil", "Concat", "Constant", "Conv", "Div", "Equal",
    "Erf", "Exp", "Flatten", "Floor", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater",
    "HardSigmoid", "Identity", "LeakyRelu", "Less", "Log", "MatMul", "Max", "MaxPool", "Mean", "Min", "Mul", "Neg",
    "Pow", "PRelu", "Reciprocal", "ReduceMax", "ReduceMean", "ReduceMin", "Relu", "Reshape", "Shape", "Sigmoid",
    "Sqrt", "Sub", "Sum", "Tanh", "Transpose", "Where",
}

# Operators whose attributes became inputs at the given opset; rewrite_node turns the old form into the new one.
ATTRIBUTES_TO_INPUTS = {"Slice": 10, "Clip": 11, "Squeeze": 13, "Unsqueeze": 13}


class CannotRaise(Exception):
    """Raising the opset would change what some node means (or we cannot tell)."""


def default_opset(model):
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    raise SystemExit("the model imports no default-domain opset")


def schema_version(op_type, opset):
    try:
        return onnx.defs.get_schema(op_type, opset).since_version
    except Exception:  # pylint: disable=broad-except
        return None


def has_subgraphs(graph):
    return any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for n in graph.node for a in n.attribute)


SAME_RANK = {
    "Abs", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Clip", "Concat", "Conv", "Dropout", "Erf", "Exp",
    "Floor", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "Identity", "LeakyRelu", "Log", "MaxPool", "Neg",
    "Reciprocal", "Relu", "Sigmoid", "Slice", "Softmax", "Sqrt", "Tanh",
}
BROADCAST = {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "Max", "Min", "Mean", "Sum", "PRelu", "Where"}


def value_ranks_and_types(model):
    """Rank and element type of every value we can tell, by name (rank None where unknown).

    onnx's shape inference first; where it gives no shape (it does not follow a Reshape to a computed shape, for
    instance), the rank is carried through the graph by each operator's rule for ranks alone.
    """
    inferred = shape_inference.infer_shapes(model)
    known = {}
    for info in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        tensor = info.type.tensor_type
        rank = len(tensor.shape.dim) if tensor.HasField("shape") else None
        known[info.name] = (rank, tensor.elem_type)
    for init in model.graph.initializer:
        known[init.name] = (len(init.dims), init.data_type)
    lengths = {}  # the static length of 1-D values (shape tensors), for Reshape
    for info in inferred.graph.value_info:
        dims = info.type.tensor_type.shape.dim
        if len(dims) == 1 and dims[0].HasField("dim_value"):
            lengths[info.name] = dims[0].dim_value

    def rank(name):
        return known.get(name, (None, None))[0]

    for node in model.graph.node:
        out = node.output[0] if node.output else None
        if out is None or rank(out) is not None:
            continue
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        ranks = [rank(i) for i in node.input if i]
        r = None
        if node.op_type == "Constant" and "value" in attributes:
            r = len(attributes["value"].dims)
            lengths[out] = attributes["value"].dims[0] if r == 1 else None
        elif node.op_type in SAME_RANK:
            r = ranks[0] if ranks else None
        elif node.op_type in BROADCAST:
            r = None if None in ranks else max(ranks)
        elif node.op_type == "Transpose":
            r = len(attributes["perm"]) if "perm" in attributes else ranks[0]
        elif node.op_type == "Reshape":
            r = lengths.get(node.input[1])
        elif node.op_type in ("Squeeze", "Unsqueeze") and "axes" in attributes and ranks[0] is not None:
            sign = -1 if node.op_type == "Squeeze" else 1
            r = ranks[0] + sign * len(attributes["axes"])
        elif node.op_type in ("ReduceMean", "ReduceMax", "ReduceMin") and ranks[0] is not None:
            keep = attributes.get("keepdims", 1)
            r = ranks[0] if keep else (ranks[0] - len(attributes["axes"]) if "axes" in attributes else 0)
        elif node.op_type == "MatMul" and None not in ranks:
            a, b = ranks
            r = max(a, b) if min(a, b) >= 2 else a + b - 2
        elif node.op_type == "Shape":
            r = 1
        elif node.op_type in ("Flatten", "Gemm"):
            r = 2
        if r is not None:
            known[out] = (r, known.get(out, (None, 0))[1])
    return known


def plan_opset_raise(model, current, target, known):
    """The rewrites that make every node mean the same at `target`, or CannotRaise naming the first that cannot."""
    if has_subgraphs(model.graph):
        raise CannotRaise("the graph has subgraphs (If/Loop/Scan)")
    rewrites = []
    for node in model.graph.node:
        if node.domain not in ("", "ai.onnx"):
            continue
        op = node.op_type
        before, after = schema_version(op, current), schema_version(op, target)
        if before is None or after is None:
            raise CannotRaise(f"{op} is not defined at opset {current} or {target}")
        if before == after or op in SAME_MEANING:
            continue
        if op in ATTRIBUTES_TO_INPUTS:
            # Later versions only added types or negative indices; a node already in the input form stays as it is.
            if current < ATTRIBUTES_TO_INPUTS[op] <= target:
                if op == "Clip":
                    elem_type = known.get(node.input[0], (None, None))[1]
                    if elem_type != TensorProto.FLOAT:
                        raise CannotRaise(f"Clip '{node.name}' on a tensor that is not known to be float32")
                rewrites.append(node)
            continue
        if op == "Softmax":
            axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
            rank = known.get(node.input[0], (None, None))[0]
            if rank is None or rank == 0 or axis not in (-1, rank - 1):
                raise CannotRaise(f"Softmax '{node.name}' over axis {axis} of a rank-{rank} tensor changes meaning at 13")
            continue
        raise CannotRaise(f"{op} changed from version {before} to {after}")
    return rewrites


def int64_initializer(graph, name, values):
    graph.initializer.append(numpy_helper.from_array(np.asarray(values, dtype=np.int64), name))


def rewrite_node(graph, node, taken):
    """Turn the attribute form of Slice/Clip/Squeeze/Unsqueeze into the input form with the same values."""
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    base = node.name or node.output[0]

    def fresh(suffix):
        return unique_name(f"{base}_{suffix}", taken)

    if node.op_type == "Slice":
        inputs = [node.input[0]]
        for key in ("starts", "ends"):
            name = fresh(key)
            int64_initializer(graph, name, attributes[key])
            inputs.append(name)
        if "axes" in attributes:
            name = fresh("axes")
            int64_initializer(graph, name, attributes["axes"])
            inputs.append(name)
    elif node.op_type == "Clip":
        inputs = [node.input[0]]
        for key in ("min", "max"):
            if key in attributes:
                name = fresh(key)
                graph.initializer.append(numpy_helper.from_array(np.asarray(attributes[key], dtype=np.float32), name))
                inputs.append(name)
            else:
                inputs.append("")
        while inputs[-1] == "":
            inputs.pop()
    else:  # Squeeze, Unsqueeze
        inputs = [node.input[0]]
        if "axes" in attributes:
            name = fresh("axes")
            int64_initializer(graph, name, attributes["axes"])
            inputs.append(name)
    del node.input[:]
    node.input.extend(inputs)
    kept = [a for a in node.attribute if a.name not in ("starts", "ends", "axes", "min", "max")]
    del node.attribute[:]
    node.attribute.extend(kept)


def unique_name(wanted, taken):
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}_{n}"
    taken.add(name)
    return name


def all_names(graph):
    names = {t.name for t in graph.initializer}
    names.update(v.name for v in list(graph.input) + list(graph.output) + list(graph.value_info))
    for node in graph.node:
        names.update(node.input)
        names.update(node.output)
        if node.name:
            names.add(node.name)
    return names


def weight_readers(graph):
    """For each value name, how it is read: (op_type, input index) per reading node, and whether a graph output."""
    readers = {}
    for node in graph.node:
        for index, name in enumerate(node.input):
            readers.setdefault(name, []).append((node.op_type, node.domain, index))
    for output in graph.output:
        readers.setdefault(output.name, []).append(("<graph output>", "", -1))
    return readers


def is_weight_use(op_type, domain, index):
    if domain not in ("", "ai.onnx"):
        return False
    return (op_type == "Conv" and index == 1) or (op_type == "MatMul" and index in (0, 1)) or (op_type == "Gemm" and index in (0, 1))


def find_weights(graph):
    """(name, float32 array, source, per-channel allowed) for every tensor to quantise, in graph order."""
    readers = weight_readers(graph)
    graph_inputs = {i.name for i in graph.input}
    # An initializer that is also a graph input can be replaced by the caller at run time: it stays float.
    candidates = [(init.name, init, "initializer") for init in graph.initializer if init.name not in graph_inputs]
    for node in graph.node:
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx") and len(node.attribute) == 1 and node.attribute[0].name == "value":
            candidates.append((node.output[0], node.attribute[0].t, node))
    weights = []
    for name, tensor, source in candidates:
        if tensor.data_type != TensorProto.FLOAT or tensor.data_location == TensorProto.EXTERNAL:
            continue
        uses = readers.get(name, [])
        if not uses or not all(is_weight_use(*use) for use in uses):
            continue
        array = numpy_helper.to_array(tensor)
        if array.size < MIN_ELEMENTS:
            continue
        conv_only = all(op == "Conv" for op, _, _ in uses) and array.ndim >= 2
        weights.append((name, array, source, conv_only))
    return weights


def quantise(array, per_channel):
    """Symmetric int8: (q, scale) with array ≈ q * scale, scale per row of axis 0 or one for the tensor."""
    values = array.astype(np.float32)
    if per_channel:
        reach = np.abs(values.reshape(values.shape[0], -1)).max(axis=1).astype(np.float64)
    else:
        reach = np.asarray(np.abs(values).max(), dtype=np.float64)
    scale = (reach / QMAX).astype(np.float32)
    scale = np.where(scale > 0, scale, np.float32(1.0)).astype(np.float32)
    divisor = scale.reshape((-1,) + (1,) * (values.ndim - 1)) if per_channel else scale
    q = np.clip(np.rint(values / divisor), -QMAX, QMAX).astype(np.int8)
    return q, scale


def main():
    parser = argparse.ArgumentParser(description="Weight-only int8 copy of an ONNX model (see the module docstring).")
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()

    model = onnx.load(str(args.input))
    graph = model.graph
    current = default_opset(model)
    known = value_ranks_and_types(model)

    opset, rewrites, reason = current, [], None
    if current < PER_AXIS_OPSET:
        try:
            rewrites = plan_opset_raise(model, current, PER_AXIS_OPSET, known)
            opset = PER_AXIS_OPSET
        except CannotRaise as e:
            reason = str(e)
            if current < DEQUANTIZE_OPSET:
                try:
                    rewrites = plan_opset_raise(model, current, DEQUANTIZE_OPSET, known)
                    opset = DEQUANTIZE_OPSET
                except CannotRaise as e10:
                    raise SystemExit(f"cannot raise opset {current} to {DEQUANTIZE_OPSET} for DequantizeLinear: {e10}") from e10
    per_axis = opset >= PER_AXIS_OPSET

    taken = all_names(graph)
    weights = find_weights(graph)
    for node in rewrites:
        rewrite_node(graph, node, taken)

    dequantize_nodes = []
    constants_replaced = set()
    per_channel_count = 0
    for name, array, source, conv_only in weights:
        per_channel = per_axis and conv_only
        per_channel_count += 1 if per_channel else 0
        q, scale = quantise(array, per_channel)
        q_name = unique_name(f"{name}_quantized", taken)
        scale_name = unique_name(f"{name}_scale", taken)
        zero_name = unique_name(f"{name}_zero_point", taken)
        zero = np.zeros(scale.shape, dtype=np.int8)
        graph.initializer.append(numpy_helper.from_array(q, q_name))
        graph.initializer.append(numpy_helper.from_array(scale if per_channel else scale.reshape(()), scale_name))
        graph.initializer.append(numpy_helper.from_array(zero if per_channel else zero.reshape(()), zero_name))
        extra = {"axis": 0} if per_channel else {}
        dequantize_nodes.append(helper.make_node("DequantizeLinear", [q_name, scale_name, zero_name], [name],
                                                 name=unique_name(f"{name}_DequantizeLinear", taken), **extra))
        if source == "initializer":
            kept = [t for t in graph.initializer if t.name != name]
            del graph.initializer[:]
            graph.initializer.extend(kept)
        else:
            constants_replaced.add(id(source))

    nodes = dequantize_nodes + [n for n in graph.node if id(n) not in constants_replaced]
    del graph.node[:]
    graph.node.extend(nodes)
    if opset != current:
        for entry in model.opset_import:
            if entry.domain in ("", "ai.onnx"):
                entry.version = opset

    data = model.SerializeToString(deterministic=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)

    before = args.input.stat().st_size
    print(f"input   {args.input}: {before:,} bytes, opset {current}")
    print(f"output  {args.output}: {len(data):,} bytes ({len(data) / before:.1%}), opset {opset}")
    if opset != current:
        print(f"opset raised {current} -> {opset}; {len(rewrites)} node(s) rewritten from attributes to inputs "
              f"({', '.join(sorted({n.op_type for n in rewrites})) or 'none'})")
    if reason:
        print(f"opset {PER_AXIS_OPSET} not used ({reason}); per-tensor scales")
    print(f"quantised {len(weights)} tensor(s) to int8: {per_channel_count} per output channel, "
          f"{len(weights) - per_channel_count} per tensor")
    onnx.checker.check_model(onnx.load(str(args.output)), full_check=True)
    print("onnx.checker: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
