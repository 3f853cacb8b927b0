export { collectReferences, emptyReferences, mergeReferences, type References } from './analyze.js';
export { LOOP_BINDING, parseCel } from './cel.js';
export {
  compileCondition,
  compileValue,
  type Evaluable,
  ExpressionSyntaxError,
  type Scope,
} from './compile.js';
export { toJson, toText } from './normalize.js';
export { hasExpression, splitTemplate } from './template.js';
