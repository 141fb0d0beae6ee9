#!/usr/bin/env node
import { toolServerMain } from '../cli.js';

process.exitCode = await toolServerMain(process.argv.slice(2));
