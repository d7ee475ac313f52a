import { unwrappedConfig } from '../dist/src/wandb/jsonText.js';
const base = '{"_wandb":{"value":{"cli_version":"0.28.3","python_version":"3.11.9","framework":"torch","start_time":1793384676},"desc":null},"lr":{"value":0.00123,"desc":null},"batch_size":{"value":64,"desc":null},"optimizer":{"value":"adamw","desc":null},"epochs":{"value":69,"desc":null},"model":{"value":"efficientnet-b0","desc":null},"dropout":{"value":0.22,"desc":null},"weight_decay":{"value":0.0001,"desc":null},"momentum":{"value":null,"desc":null},"image_size":{"value":224,"desc":null},"augmentation":{"value":"none","desc":null},"mixed_precision":{"value":false,"desc":null},"seed":{"value":9081,"desc":null},"dataset":{"value":"imagenet-subset","desc":null},"scheduler":{"value":{"name":"step","warmup":0},"desc":null}}';
const texts = Array.from({ length: 50 }, (_, i) => base.replace('9081', String(9000 + i)));
console.log(unwrappedConfig(texts[0]));
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 20000; i++) unwrappedConfig(texts[i % 50]);
  console.log('µs per config', ((performance.now() - t0) / 20).toFixed(2));
}
