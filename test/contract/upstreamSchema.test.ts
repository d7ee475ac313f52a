/**
 * schema/upstream/wandb.graphql must be a faithful subset of the W&B API:
 * every type, field, argument and input field it declares exists in W&B's
 * schema (../shared/wandb/upstream-schema.graphql) with the same type, and
 * every document of the official client validates against it.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  parse,
  validate,
  type GraphQLNamedType,
} from 'graphql';
import { upstreamSchemaPath } from '../../emulator/src/schema.js';
import { hasShared, sharedDir } from '../../emulator/test/helpers/emulator.js';

const d = hasShared ? describe : describe.skip;
if (!hasShared) console.warn('SKIPPED: ../shared/wandb is absent, so the upstream schema contract tests did not run');

d('the W&B API subset', () => {
  const ours = buildSchema(readFileSync(upstreamSchemaPath, 'utf8'));
  const theirs = hasShared ? buildSchema(readFileSync(`${sharedDir}wandb/upstream-schema.graphql`, 'utf8')) : ours;
  const named = Object.values(ours.getTypeMap()).filter((t) => !t.name.startsWith('__'));

  it('declares only types that W&B has, of the same kind', () => {
    const kind = (t: GraphQLNamedType | undefined) => t?.constructor.name;
    const wrong = named.filter((t) => kind(theirs.getType(t.name)) !== kind(t)).map((t) => t.name);
    expect(wrong).toEqual([]);
  });

  it('declares only fields and arguments that W&B has, with the same types', () => {
    const problems: string[] = [];
    for (const type of named) {
      const other = theirs.getType(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        const otherFields = (other as typeof type).getFields();
        for (const field of Object.values(type.getFields())) {
          const o = otherFields[field.name];
          if (!o) {
            problems.push(`${type.name}.${field.name} is not in W&B`);
            continue;
          }
          if (String(o.type) !== String(field.type)) problems.push(`${type.name}.${field.name}: ${field.type} vs W&B ${o.type}`);
          for (const arg of field.args) {
            const oa = o.args.find((a) => a.name === arg.name);
            if (!oa) problems.push(`${type.name}.${field.name}(${arg.name}) is not in W&B`);
            else if (String(oa.type) !== String(arg.type)) problems.push(`${type.name}.${field.name}(${arg.name}): ${arg.type} vs W&B ${oa.type}`);
          }
        }
        if (isObjectType(type)) {
          for (const i of type.getInterfaces()) {
            if (!(other as typeof type).getInterfaces().some((x) => x.name === i.name)) problems.push(`${type.name} does not implement ${i.name} in W&B`);
          }
        }
      } else if (isInputObjectType(type)) {
        const otherFields = (other as typeof type).getFields();
        for (const field of Object.values(type.getFields())) {
          const o = otherFields[field.name];
          if (!o) problems.push(`input ${type.name}.${field.name} is not in W&B`);
          else if (String(o.type) !== String(field.type)) problems.push(`input ${type.name}.${field.name}: ${field.type} vs W&B ${o.type}`);
        }
      } else if (isEnumType(type)) {
        const values = new Set((other as typeof type).getValues().map((v) => v.name));
        for (const v of type.getValues()) if (!values.has(v.name)) problems.push(`enum ${type.name}.${v.name} is not in W&B`);
      } else if (!isScalarType(type)) {
        problems.push(`unexpected kind of type ${type.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('validates every document the official client sends', () => {
    const dir = `${sharedDir}wandb/client-operations`;
    const files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
    expect(files.length).toBe(56);
    const invalid = files.flatMap((f) => validate(ours, parse(readFileSync(`${dir}/${f}`, 'utf8'))).map((e) => `${f}: ${e.message}`));
    expect(invalid).toEqual([]);
  });
});
