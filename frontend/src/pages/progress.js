// Follows the long jobs a curator page marks with data-progress-url (ingest job, mining runs, dataset export).
import { followProgress } from '../progress/poller.js';

for (const element of document.querySelectorAll('[data-progress-url]')) followProgress(element);
