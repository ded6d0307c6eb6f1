// Values of the serde cases: the types accept serde's wire form and reject
// what serde would not produce or accept.
import type {
  Animal,
  Everything,
  EverythingInput,
  LogLine,
  Message,
  Settings,
  SettingsInput,
  Shape,
} from './cases/types.js'

export function describe(animal: Animal, shape: Shape, message: Message): string {
  let text = ''
  switch (animal.kind) {
    case 'dog':
      text += animal.name + String(animal.good_boy)
      break
    case 'cat':
      text += String(animal.lives)
      break
    case 'fish':
      break
  }
  if (typeof shape === 'string') text += shape
  else if ('Circle' in shape) text += String(shape.Circle.radius)
  if (message.t === 'Pair') text += String(message.c[0] + message.c[1])
  return text
}

export const settingsIn: SettingsInput = {}
export const settingsOut: Settings = { verbose: true, limit: null }
export const log: LogLine = { text: 'hello', level: 'info' }
export const colors: Everything['byColor'] = { GREEN: 1, 'light-red': 2 }
export const shapes: Shape[] = ['Empty', { Square: 2 }, { Line: [1, 2] }]
export const messages: Message[] = [{ t: 'Ping' }, { t: 'Text', c: 'hi' }]

export function partial(input: EverythingInput): Everything['maybe'] | undefined {
  return input.maybe
}

// @ts-expect-error: main always sends `verbose` and `limit`
export const missing: Settings = {}
// @ts-expect-error: not a Color
export const badColors: Everything['byColor'] = { red: 1 }
// @ts-expect-error: a tuple of two numbers
export const badMessage: Message = { t: 'Pair', c: [1] }
// @ts-expect-error: the extra keys of a LogLine are strings
export const badLog: LogLine = { text: 'x', count: 1 }
// @ts-expect-error: `fish` has no name
export const badAnimal: Animal = { kind: 'fish', name: 'Nemo', lives: 1, good_boy: true }

// Exact integers (`ipc_runtime::Wide`) are `bigint`s, plain ones `number`s.
import type { AccountInput, BalanceChanged, Transfer } from './cases/types.js'

export const account: AccountInput = {
  id: 18446744073709551615n,
  balance: -170141183460469231731687303715884105728n,
  history: [0n, -9223372036854775808n],
  byName: { savings: 340282366920938463463374607431768211455n },
  pair: [9007199254740993n, 'x'],
  version: 3,
  kind: { type: 'joint', owners: [1n, 2n] },
  parent: null,
}
export const transfer: Transfer = { from: account, amount: 1n }
export function total(event: BalanceChanged): bigint {
  return event.balance + BigInt(event.account)
}
// @ts-expect-error: an exact integer is a bigint, not a number
export const badId: AccountInput = { ...account, id: 1 }
// @ts-expect-error: nor its decimal string
export const badBalance: AccountInput = { ...account, balance: '1' }
// @ts-expect-error: a plain integer is a number
export const badVersion: AccountInput = { ...account, version: 3n }

// A flattened map of numbers next to a string field: extra keys can be
// sent and read, and the listed field keeps its own type.
import type { Measure } from './cases/types.js'

export const measured: Measure = { name: 'cpu', user: 0.5, system: 0.25 }
export function reading(measure: Measure): number | undefined {
  const value = measure['user']
  return typeof value === 'number' ? value : undefined
}
export const measureName: string = measured.name
// @ts-expect-error: the listed field is a string
export const badMeasure: Measure = { name: 1, user: 0.5 }
