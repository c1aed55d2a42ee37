# Turns a .cu file of native/cuda into C++ for the host emulation (cuda_runtime.h here): every
# launch `kernel<T...><<<grid, block, smem, stream>>>(args)` becomes
# `::emu::launch(dim3(grid), dim3(block), [=](auto... a_) { kernel<T...>(a_...); }, args)`,
# so template arguments are deduced from the call exactly as nvcc does.
# Usage: python3 rewrite.py IN.cu OUT.cc
import re, sys, pathlib

def split_top(s):
    parts, depth, cur = [], 0, ''
    for ch in s:
        if ch in '([{': depth += 1
        if ch in ')]}': depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur); cur = ''
        else:
            cur += ch
    parts.append(cur)
    return parts

def rewrite(src):
    out = src
    while True:
        i = out.find('<<<')
        if i < 0: return out
        # kernel name: scan back over a balanced <...> and an identifier (with ::)
        j = i
        if out[j-1] == '>':
            depth = 0
            while True:
                j -= 1
                if out[j] == '>': depth += 1
                elif out[j] == '<':
                    depth -= 1
                    if depth == 0: break
        while j > 0 and (out[j-1].isalnum() or out[j-1] in '_:'): j -= 1
        name = out[j:i]
        k = out.find('>>>', i)
        cfg = split_top(out[i+3:k])
        assert out[k+3] == '(', out[k:k+20]
        depth, m = 0, k + 3
        while True:
            if out[m] == '(': depth += 1
            elif out[m] == ')':
                depth -= 1
                if depth == 0: break
            m += 1
        args = out[k+4:m]
        rep = f'::emu::launch(dim3({cfg[0]}), dim3({cfg[1]}), [=](auto... a_) {{ {name}(a_...); }}' + (f', {args}' if args.strip() else '') + ')'
        out = out[:j] + rep + out[m+1:]

src, dst = sys.argv[1], sys.argv[2]
pathlib.Path(dst).write_text(rewrite(pathlib.Path(src).read_text()))
