import type { AnySkill } from '../types.js';
import { echoSkill } from './echo.js';
import { fileExistsSkill } from './file-exists.js';
import { fileLinesSkill } from './file-lines.js';
import { fileReadSkill } from './file-read.js';
import { fileWriteSkill } from './file-write.js';
import { httpSkill } from './http.js';
import { jsonParseSkill } from './json-parse.js';
import { logSkill } from './log.js';
import { shellSkill } from './shell.js';
import { sleepSkill } from './sleep.js';
import { transformSkill } from './transform.js';

/** The skills of SPEC.md section 2, in its order. */
export const builtinSkills: AnySkill[] = [
  echoSkill,
  logSkill,
  sleepSkill,
  shellSkill,
  httpSkill,
  fileReadSkill,
  fileWriteSkill,
  fileExistsSkill,
  fileLinesSkill,
  jsonParseSkill,
  transformSkill,
];

export { echoSkill } from './echo.js';
export { type FileExistsInput, fileExistsSkill } from './file-exists.js';
export { type FileLinesInput, fileLinesIterable, fileLinesSkill } from './file-lines.js';
export { type FileReadInput, fileReadSkill } from './file-read.js';
export { type FileWriteInput, type FileWriteOutput, fileWriteSkill } from './file-write.js';
export { type HttpInput, type HttpOutput, httpSkill } from './http.js';
export { type JsonParseInput, jsonParseSkill } from './json-parse.js';
export { type LogInput, type LogLevel, logSkill } from './log.js';
export {
  createShellSkill,
  type ShellInput,
  type ShellOutput,
  type ShellSkillOptions,
  shellSkill,
} from './shell.js';
export { type SleepInput, sleepSkill } from './sleep.js';
export { type TransformInput, transformSkill } from './transform.js';
