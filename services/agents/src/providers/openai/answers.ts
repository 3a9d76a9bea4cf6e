// The JSON each call asks the model for, made from the agents' zod output schemas.
// Entities are asked for without offsets: models count characters badly, so the
// offsets are found in the text afterwards (see placeEntities).
import { z } from "zod";
import { Entity, SentimentOutput, SummaryOutput } from "@chorus/contracts";

export const SummaryAnswer = SummaryOutput;
export const SentimentAnswer = SentimentOutput;
export const EntitiesAnswer = z.object({ entities: z.array(Entity.pick({ text: true, type: true })) });
