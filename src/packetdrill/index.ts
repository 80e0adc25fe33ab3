// packetdrill for netchannels: a parser for upstream's script language and a runner that
// plays a script against a fresh simulated host (our Kernel on a memory link, virtual
// clock). A test tool: it drives posix and a link and is imported by nothing below it.
// It guarantees that a script passes only when every line was honoured; a construct it
// cannot honour makes the script `unsupported`, naming it. It never runs a shell or Python.

export { type Script, type ScriptEvent, type PacketEvent, type SyscallEvent, type Expr, PacketdrillSyntaxError } from './ast.js';
export { parseScript } from './parser.js';
export { tokenize } from './lexer.js';
export { CodeContext, CodeAssertion, CodeUnsupported } from './code.js';
export { type PacketdrillOptions, type PacketdrillResult, runScriptFile, runScriptText } from './runner.js';
